//! Reading settings from the environment: typed, trimmed, and naming the
//! variable when a value is wrong.
//!
//! Every read goes through an injected lookup ([`Env::new`]), so tests pass a
//! map instead of mutating the process-global environment. A value that is
//! empty or only whitespace counts as unset. Every variable read anywhere is
//! listed in the README's configuration table (a test checks it).

use std::{fmt, str::FromStr, time::Duration};

use anyhow::bail;

/// Settings read from an [`Env`]: the process environment in production, a
/// map in tests.
pub trait FromEnv: Sized {
    fn read(env: &Env) -> anyhow::Result<Self>;

    /// Reads the process environment.
    fn from_env() -> anyhow::Result<Self> {
        Self::read(&Env::new(|name| std::env::var(name).ok()))
    }

    /// Reads through `lookup`, so tests can pass a map instead of mutating the
    /// (process-global) environment.
    fn from_lookup(lookup: impl Fn(&str) -> Option<String> + 'static) -> anyhow::Result<Self> {
        Self::read(&Env::new(lookup))
    }
}

/// A variable's value by its name.
type Lookup = dyn Fn(&str) -> Option<String>;

/// The environment, through a lookup function.
pub struct Env {
    lookup: Box<Lookup>,
}

impl Env {
    pub fn new(lookup: impl Fn(&str) -> Option<String> + 'static) -> Self {
        Self { lookup: Box::new(lookup) }
    }

    /// The trimmed value, `None` when unset or blank.
    pub fn string(&self, name: &str) -> Option<String> {
        (self.lookup)(name).map(|v| v.trim().to_owned()).filter(|v| !v.is_empty())
    }

    pub fn string_or(&self, name: &str, default: &str) -> String {
        self.string(name).unwrap_or_else(|| default.to_owned())
    }

    /// The value parsed as `T`; `expected` completes "NAME must be …".
    pub fn parse<T: FromStr>(&self, name: &str, expected: &str) -> anyhow::Result<Option<T>> {
        match self.string(name) {
            None => Ok(None),
            Some(v) => match v.parse() {
                Ok(value) => Ok(Some(value)),
                Err(_) => bail!("{name} must be {expected}, not `{v}`"),
            },
        }
    }

    pub fn parse_or<T: FromStr>(&self, name: &str, default: T, expected: &str) -> anyhow::Result<T> {
        Ok(self.parse(name, expected)?.unwrap_or(default))
    }

    /// A whole number of seconds, at least `min`.
    pub fn seconds_or(&self, name: &str, default: u64, min: u64) -> anyhow::Result<Duration> {
        let expected = format!("a whole number of seconds of at least {min}");
        let secs = self.parse_or(name, default, &expected)?;
        if secs < min {
            bail!("{name} must be {expected}, not `{secs}`");
        }
        Ok(Duration::from_secs(secs))
    }

    /// One of `choices` (name, value); the first is the default.
    pub fn choice<T: Copy>(&self, name: &str, choices: &[(&str, T)]) -> anyhow::Result<T> {
        let Some(value) = self.string(name) else { return Ok(choices[0].1) };
        match choices.iter().find(|(text, _)| *text == value) {
            Some((_, choice)) => Ok(*choice),
            None => {
                let names: Vec<String> = choices.iter().map(|(text, _)| format!("`{text}`")).collect();
                bail!("{name} must be one of {}, not `{value}`", names.join(", "))
            }
        }
    }
}

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

/// What every HTTP service here reads: where to listen, for whom, how hard.
#[derive(Debug, Clone)]
pub struct HttpSettings {
    /// `HOST`: address to bind (default `0.0.0.0`).
    pub host: String,
    /// `PORT`: TCP port (default 8080); tests use 0 and read the real port back.
    pub port: u16,
    /// `APP_ENV`: `production` (default) or `development`.
    pub env: AppEnv,
    /// `WORKERS`: HTTP worker threads (default: one per CPU core).
    pub workers: Option<usize>,
    /// `SHUTDOWN_TIMEOUT_SECS`: how long SIGTERM waits for in-flight requests
    /// (default 3 s, below compose's 10 s `stop_grace_period`).
    pub shutdown_timeout: Duration,
}

impl FromEnv for HttpSettings {
    fn read(env: &Env) -> anyhow::Result<Self> {
        let workers = env.parse::<usize>("WORKERS", "a positive integer")?;
        if workers == Some(0) {
            bail!("WORKERS must be a positive integer, not `0`");
        }
        Ok(Self {
            host: env.string_or("HOST", "0.0.0.0"),
            port: env.parse_or("PORT", 8080, "a TCP port number (0-65535)")?,
            env: env.choice("APP_ENV", &[("production", AppEnv::Production), ("development", AppEnv::Development)])?,
            workers,
            shutdown_timeout: env.seconds_or("SHUTDOWN_TIMEOUT_SECS", 3, 0)?,
        })
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;

    fn env(vars: &[(&str, &str)]) -> Env {
        let map: HashMap<String, String> = vars.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        Env::new(move |k: &str| map.get(k).cloned())
    }

    #[test]
    fn defaults_are_production_on_8080() {
        let s = HttpSettings::read(&env(&[])).unwrap();
        assert_eq!((s.host.as_str(), s.port, s.env), ("0.0.0.0", 8080, AppEnv::Production));
        assert_eq!(s.workers, None);
        assert_eq!(s.shutdown_timeout, Duration::from_secs(3));
    }

    #[test]
    fn values_are_trimmed_and_blank_is_unset() {
        let s = HttpSettings::read(&env(&[("PORT", " 9000 "), ("HOST", "  "), ("APP_ENV", "development\n")])).unwrap();
        assert_eq!((s.host.as_str(), s.port, s.env), ("0.0.0.0", 9000, AppEnv::Development));
    }

    #[test]
    fn bad_values_name_the_variable_and_the_value() {
        for (name, value) in [
            ("PORT", "80000"),
            ("PORT", "http"),
            ("APP_ENV", "staging"),
            ("WORKERS", "0"),
            ("WORKERS", "many"),
            ("SHUTDOWN_TIMEOUT_SECS", "soon"),
        ] {
            let err = HttpSettings::read(&env(&[(name, value)])).unwrap_err().to_string();
            assert!(err.contains(name) && err.contains(value), "{name}={value}: {err}");
        }
    }

    #[test]
    fn durations_have_a_floor() {
        let e = env(&[("A", "0"), ("B", "1.5")]);
        assert!(e.seconds_or("A", 5, 1).unwrap_err().to_string().contains("at least 1"));
        assert!(e.seconds_or("B", 5, 1).is_err());
        assert_eq!(e.seconds_or("C", 5, 1).unwrap(), Duration::from_secs(5));
    }
}
