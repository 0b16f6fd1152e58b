//! Typed settings, read once from the environment at start.
//!
//! Handlers and the Docker watcher never read the environment: everything they
//! need is in [`Settings`], and every variable is in the README's configuration
//! table, `DOCKER_HOST` included (with the Docker CLI's meaning and default).

use std::{fmt, time::Duration};

use anyhow::{Context, bail};

/// Which audience the process serves; decides Swagger UI and request logging.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AppEnv {
    /// Default. No OpenAPI document, no Swagger UI, no per-request log lines.
    Production,
    /// OpenAPI document at `/openapi.json`, Swagger UI at `/swagger/`, request logs.
    Development,
}

impl AppEnv {
    pub fn is_development(self) -> bool {
        self == Self::Development
    }
}

impl fmt::Display for AppEnv {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Production => "production",
            Self::Development => "development",
        })
    }
}

#[derive(Debug, Clone)]
pub struct Settings {
    /// `HOST`: address to bind (default `0.0.0.0`).
    pub host: String,
    /// `PORT`: TCP port (default 8080); tests use 0 and read the real port back.
    pub port: u16,
    /// `APP_ENV`: `production` (default) or `development`.
    pub env: AppEnv,
    /// `WORKERS`: HTTP worker threads (default: one per CPU core).
    pub workers: Option<usize>,
    /// `SHUTDOWN_TIMEOUT_SECS`: grace for in-flight requests on SIGTERM (default 3).
    pub shutdown_timeout: Duration,
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

impl Settings {
    /// Reads the process environment.
    pub fn from_env() -> anyhow::Result<Self> {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    /// Reads settings through `lookup`, so tests can pass a map instead of mutating
    /// the (process-global) environment.
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> anyhow::Result<Self> {
        let value = |name: &str| lookup(name).map(|v| v.trim().to_owned()).filter(|v| !v.is_empty());
        let seconds = |name: &str, default: u64, min: u64| -> anyhow::Result<Duration> {
            match value(name) {
                None => Ok(Duration::from_secs(default)),
                Some(v) => match v.parse::<u64>() {
                    Ok(n) if n >= min => Ok(Duration::from_secs(n)),
                    _ => bail!("{name} must be a whole number of seconds of at least {min}, not `{v}`"),
                },
            }
        };
        let port = match value("PORT") {
            Some(v) => v.parse().with_context(|| format!("PORT must be a TCP port number (0-65535), not `{v}`"))?,
            None => 8080,
        };
        let env = match value("APP_ENV").as_deref() {
            None | Some("production") => AppEnv::Production,
            Some("development") => AppEnv::Development,
            Some(other) => bail!("APP_ENV must be `production` or `development`, not `{other}`"),
        };
        let workers = match value("WORKERS") {
            Some(v) => match v.parse::<usize>() {
                Ok(n) if n > 0 => Some(n),
                _ => bail!("WORKERS must be a positive integer, not `{v}`"),
            },
            None => None,
        };
        let docker_host = value("DOCKER_HOST").unwrap_or_else(|| "unix:///var/run/docker.sock".into());
        if !["unix://", "tcp://", "http://"].iter().any(|scheme| docker_host.starts_with(scheme)) {
            bail!("DOCKER_HOST must be unix:///path/to/socket or tcp://host:port, not `{docker_host}`");
        }
        let label_key = value("STATUS_LABEL").unwrap_or_else(|| "app.name".into());
        if label_key.contains(['=', ',']) || label_key.chars().any(char::is_whitespace) {
            bail!("STATUS_LABEL must be a plain label key, not `{label_key}`");
        }
        let label_allowlist = value("STATUS_LABEL_ALLOWLIST")
            .unwrap_or_else(|| {
                "com.docker.compose.project,com.docker.compose.service,com.docker.compose.container-number".into()
            })
            .split(',')
            .map(|k| k.trim().to_owned())
            .filter(|k| !k.is_empty())
            .collect();
        Ok(Self {
            host: value("HOST").unwrap_or_else(|| "0.0.0.0".into()),
            port,
            env,
            workers,
            shutdown_timeout: seconds("SHUTDOWN_TIMEOUT_SECS", 3, 0)?,
            docker_host,
            label_key,
            label_allowlist,
            docker_timeout: seconds("DOCKER_TIMEOUT_SECS", 5, 1)?,
            resync_interval: seconds("RESYNC_INTERVAL_SECS", 30, 1)?,
            retry_after: seconds("RETRY_AFTER_SECS", 5, 1)?,
        })
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;

    fn settings(vars: &[(&str, &str)]) -> anyhow::Result<Settings> {
        let map: HashMap<String, String> = vars.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        Settings::from_lookup(|k| map.get(k).cloned())
    }

    #[test]
    fn defaults() {
        let s = settings(&[]).unwrap();
        assert_eq!(s.port, 8080);
        assert_eq!(s.env, AppEnv::Production);
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
            ("PORT", "-1"),
            ("APP_ENV", "prod"),
            ("WORKERS", "many"),
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
