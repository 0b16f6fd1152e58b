//! Typed settings, read once from the environment at start.
//!
//! Handlers and the Docker watcher never read the environment: everything they
//! need is in [`Settings`], and every variable is in the README's configuration
//! table, `DOCKER_HOST` included (with the Docker CLI's meaning and default).

use std::time::Duration;

use anyhow::bail;
use service_kit::settings::{Env, FromEnv, HttpSettings};

#[derive(Debug, Clone)]
pub struct Settings {
    /// `HOST`, `PORT`, `APP_ENV`, `WORKERS`, `SHUTDOWN_TIMEOUT_SECS`.
    pub http: HttpSettings,
    /// `DOCKER_HOST`: the daemon, as the Docker CLI reads it: a unix socket
    /// (`unix:///var/run/docker.sock`, the default) or `tcp://host:port` for a
    /// socket proxy.
    pub docker_host: String,
    /// `STATUS_LABEL`: the container label whose value is the app name
    /// (default `app.name`). Only containers carrying it are listed.
    pub label_key: String,
    /// `STATUS_LABEL_ALLOWLIST`: comma-separated label keys shown in `/status`
    /// (default: the compose project, service and replica number). Nothing else
    /// about a container's configuration is ever shown.
    pub label_allowlist: Vec<String>,
    /// `DOCKER_TIMEOUT_SECS`: limit for each Docker API call (default 5).
    pub docker_timeout: Duration,
    /// `RESYNC_INTERVAL_SECS`: full re-list to repair missed events (default 30).
    pub resync_interval: Duration,
    /// `RETRY_AFTER_SECS`: `Retry-After` on the no-replica 503 (default 5).
    pub retry_after: Duration,
}

const DEFAULT_ALLOWLIST: &str =
    "com.docker.compose.project,com.docker.compose.service,com.docker.compose.container-number";

impl FromEnv for Settings {
    fn read(env: &Env) -> anyhow::Result<Self> {
        let docker_host = env.string_or("DOCKER_HOST", "unix:///var/run/docker.sock");
        if !["unix://", "tcp://", "http://"].iter().any(|scheme| docker_host.starts_with(scheme)) {
            bail!("DOCKER_HOST must be unix:///path/to/socket or tcp://host:port, not `{docker_host}`");
        }
        let label_key = env.string_or("STATUS_LABEL", "app.name");
        if label_key.contains(['=', ',']) || label_key.chars().any(char::is_whitespace) {
            bail!("STATUS_LABEL must be a plain label key, not `{label_key}`");
        }
        let label_allowlist = env
            .string_or("STATUS_LABEL_ALLOWLIST", DEFAULT_ALLOWLIST)
            .split(',')
            .map(|k| k.trim().to_owned())
            .filter(|k| !k.is_empty())
            .collect();
        Ok(Self {
            http: HttpSettings::read(env)?,
            docker_host,
            label_key,
            label_allowlist,
            docker_timeout: env.seconds_or("DOCKER_TIMEOUT_SECS", 5, 1)?,
            resync_interval: env.seconds_or("RESYNC_INTERVAL_SECS", 30, 1)?,
            retry_after: env.seconds_or("RETRY_AFTER_SECS", 5, 1)?,
        })
    }
}

#[cfg(test)]
mod tests {
    use service_kit::testing::lookup;

    use super::*;

    fn settings(vars: &[(&str, &str)]) -> anyhow::Result<Settings> {
        Settings::from_lookup(lookup(&[], vars))
    }

    #[test]
    fn defaults() {
        let s = settings(&[]).unwrap();
        assert_eq!(s.label_key, "app.name");
        assert_eq!(s.docker_host, "unix:///var/run/docker.sock");
        assert_eq!(s.resync_interval, Duration::from_secs(30));
        assert_eq!(s.docker_timeout, Duration::from_secs(5));
        assert_eq!(s.retry_after, Duration::from_secs(5));
        assert!(s.label_allowlist.contains(&"com.docker.compose.service".to_owned()));
    }

    #[test]
    fn bad_values_name_the_variable() {
        for (name, value) in [
            ("STATUS_LABEL", "app name"),
            ("DOCKER_HOST", "ssh://host"),
            ("DOCKER_TIMEOUT_SECS", "0"),
            ("RESYNC_INTERVAL_SECS", "often"),
            ("RETRY_AFTER_SECS", "1.5"),
        ] {
            let err = settings(&[(name, value)]).unwrap_err();
            assert!(format!("{err:#}").contains(name), "{name}={value}: {err:#}");
        }
    }

    #[test]
    fn allowlist_is_comma_separated() {
        let s = settings(&[("STATUS_LABEL_ALLOWLIST", " team , tier,,")]).unwrap();
        assert_eq!(s.label_allowlist, ["team", "tier"]);
    }
}
