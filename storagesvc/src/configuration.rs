//! Typed settings, read once from the environment at start.
//!
//! Handlers never read the environment: everything they need is in [`Settings`],
//! and every variable here is listed in the README's configuration table.

use std::{fmt, path::PathBuf, time::Duration};

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
    fn parse(value: &str) -> anyhow::Result<Self> {
        match value {
            "production" => Ok(Self::Production),
            "development" => Ok(Self::Development),
            other => bail!("APP_ENV must be `production` or `development`, not `{other}`"),
        }
    }

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
    /// `DATA_FILE`: a JSON file replacing the embedded dataset.
    pub data_file: Option<PathBuf>,
    /// `SERVED_BY`: value of the `X-Served-By` header (default: the hostname,
    /// which Docker sets to the container's short id).
    pub served_by: String,
    /// `WORKERS`: HTTP worker threads (default: one per CPU core).
    pub workers: Option<usize>,
    /// `SHUTDOWN_TIMEOUT_SECS`: how long SIGTERM waits for in-flight requests
    /// (default 3 s, below compose's 10 s `stop_grace_period`).
    pub shutdown_timeout: Duration,
}

impl Settings {
    /// Reads the process environment.
    pub fn from_env() -> anyhow::Result<Self> {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    /// Reads settings through `lookup`, so tests can pass a map instead of mutating
    /// the (process-global) environment.
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> anyhow::Result<Self> {
        let non_empty = |name: &str| lookup(name).filter(|v| !v.trim().is_empty());
        let port = match non_empty("PORT") {
            Some(v) => {
                v.trim().parse().with_context(|| format!("PORT must be a TCP port number (0-65535), not `{v}`"))?
            }
            None => 8080,
        };
        let env = match non_empty("APP_ENV") {
            Some(v) => AppEnv::parse(v.trim())?,
            None => AppEnv::Production,
        };
        let workers = match non_empty("WORKERS") {
            Some(v) => match v.trim().parse::<usize>() {
                Ok(n) if n > 0 => Some(n),
                _ => bail!("WORKERS must be a positive integer, not `{v}`"),
            },
            None => None,
        };
        let shutdown_timeout = match non_empty("SHUTDOWN_TIMEOUT_SECS") {
            Some(v) => Duration::from_secs(
                v.trim()
                    .parse()
                    .with_context(|| format!("SHUTDOWN_TIMEOUT_SECS must be a whole number of seconds, not `{v}`"))?,
            ),
            None => Duration::from_secs(3),
        };
        let served_by =
            non_empty("SERVED_BY").unwrap_or_else(|| gethostname::gethostname().to_string_lossy().into_owned());
        Ok(Self {
            host: non_empty("HOST").unwrap_or_else(|| "0.0.0.0".into()),
            port,
            env,
            data_file: non_empty("DATA_FILE").map(PathBuf::from),
            served_by,
            workers,
            shutdown_timeout,
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
    fn defaults_are_production_on_8080() {
        let s = settings(&[]).unwrap();
        assert_eq!(s.port, 8080);
        assert_eq!(s.env, AppEnv::Production);
        assert_eq!(s.host, "0.0.0.0");
        assert!(s.data_file.is_none());
        assert!(!s.served_by.is_empty());
        assert_eq!(s.shutdown_timeout, Duration::from_secs(3));
    }

    #[test]
    fn bad_values_name_the_variable() {
        for (name, value) in [
            ("PORT", "80000"),
            ("PORT", "http"),
            ("APP_ENV", "staging"),
            ("WORKERS", "0"),
            ("SHUTDOWN_TIMEOUT_SECS", "soon"),
        ] {
            let err = settings(&[(name, value)]).unwrap_err();
            assert!(format!("{err:#}").contains(name), "{name}={value}: {err:#}");
        }
    }

    #[test]
    fn served_by_can_be_overridden() {
        assert_eq!(settings(&[("SERVED_BY", "replica-7")]).unwrap().served_by, "replica-7");
    }
}
