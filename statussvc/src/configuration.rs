//! Typed settings, read once from the environment at start.
//!
//! Handlers and the Docker watcher never read the environment: everything they
//! need is in [`Settings`], and every variable is in the README's configuration
//! table, `DOCKER_HOST` included (with the Docker CLI's meaning and default).

use std::time::Duration;

use anyhow::bail;
use service_kit::settings::{Env, FromEnv, HttpSettings};

use crate::model::Selection;

#[derive(Debug, Clone)]
pub struct Settings {
    /// `HOST`, `PORT`, `APP_ENV`, `WORKERS`, `SHUTDOWN_TIMEOUT_SECS`.
    pub http: HttpSettings,
    /// `DOCKER_HOST`: the daemon, as the Docker CLI reads it: a unix socket
    /// (`unix:///var/run/docker.sock`, the default) or `tcp://host:port` for a
    /// socket proxy.
    pub docker_host: String,
    /// Which containers are listed, and which of their labels are shown:
    /// - `STATUS_LABEL`: the label whose value is the app name (default
    ///   `app.name`); only containers carrying it are listed.
    /// - `STATUS_SCOPE`: `key=value` they must also carry (the compose file
    ///   sets `com.docker.compose.project=<project>`); unset or empty: every
    ///   labelled container on the daemon.
    /// - `STATUS_LABEL_ALLOWLIST`: comma-separated label keys shown in
    ///   `/status` (default: the compose project, service and replica number).
    ///   Nothing else about a container's configuration is ever shown.
    pub selection: Selection,
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
        let app_label = env.string_or("STATUS_LABEL", "app.name");
        if !is_label_key(&app_label) {
            bail!("STATUS_LABEL must be a plain label key, not `{app_label}`");
        }
        let scope = env.string_or("STATUS_SCOPE", "");
        let scope = match scope.split_once('=') {
            _ if scope.is_empty() => None,
            Some((key, value)) if is_label_key(key) && !value.is_empty() && !value.contains(',') => {
                Some((key.to_owned(), value.to_owned()))
            }
            _ => bail!(
                "STATUS_SCOPE must be `label=value` (e.g. com.docker.compose.project=storage-assembly), not `{scope}`"
            ),
        };
        let shown_labels = env
            .string_or("STATUS_LABEL_ALLOWLIST", DEFAULT_ALLOWLIST)
            .split(',')
            .map(|k| k.trim().to_owned())
            .filter(|k| !k.is_empty())
            .collect();
        Ok(Self {
            http: HttpSettings::read(env)?,
            docker_host,
            selection: Selection { app_label, scope, shown_labels },
            docker_timeout: env.seconds_or("DOCKER_TIMEOUT_SECS", 5, 1)?,
            resync_interval: env.seconds_or("RESYNC_INTERVAL_SECS", 30, 1)?,
            retry_after: env.seconds_or("RETRY_AFTER_SECS", 5, 1)?,
        })
    }
}

fn is_label_key(key: &str) -> bool {
    !key.is_empty() && !key.contains(['=', ',']) && !key.chars().any(char::is_whitespace)
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
        assert_eq!(s.selection.app_label, "app.name");
        assert_eq!(s.selection.scope, None);
        assert_eq!(s.docker_host, "unix:///var/run/docker.sock");
        assert_eq!(s.resync_interval, Duration::from_secs(30));
        assert_eq!(s.docker_timeout, Duration::from_secs(5));
        assert_eq!(s.retry_after, Duration::from_secs(5));
        assert!(s.selection.shown_labels.contains(&"com.docker.compose.service".to_owned()));
    }

    #[test]
    fn bad_values_name_the_variable() {
        for (name, value) in [
            ("STATUS_LABEL", "app name"),
            ("STATUS_SCOPE", "com.docker.compose.project"),
            ("STATUS_SCOPE", "=storage-assembly"),
            ("STATUS_SCOPE", "project=a,b"),
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
        assert_eq!(s.selection.shown_labels, ["team", "tier"]);
    }

    #[test]
    fn scope_is_one_label_and_value() {
        let s = settings(&[("STATUS_SCOPE", "com.docker.compose.project=staging")]).unwrap();
        assert_eq!(s.selection.scope, Some(("com.docker.compose.project".to_owned(), "staging".to_owned())));
        assert_eq!(s.selection.label_filters(), ["app.name", "com.docker.compose.project=staging"]);
    }
}
