//! Typed settings, read once from the environment at start.
//!
//! Handlers never read the environment: everything they need is in [`Settings`],
//! and every variable here is listed in the README's configuration table.

use std::path::PathBuf;

use service_kit::settings::{Env, FromEnv, HttpSettings};

#[derive(Debug, Clone)]
pub struct Settings {
    /// `HOST`, `PORT`, `APP_ENV`, `WORKERS`, `SHUTDOWN_TIMEOUT_SECS`.
    pub http: HttpSettings,
    /// `DATA_FILE`: a JSON file replacing the embedded dataset.
    pub data_file: Option<PathBuf>,
    /// `SERVED_BY`: value of the `X-Served-By` header (default: the hostname,
    /// which Docker sets to the container's short id).
    pub served_by: String,
}

impl FromEnv for Settings {
    fn read(env: &Env) -> anyhow::Result<Self> {
        Ok(Self {
            http: HttpSettings::read(env)?,
            data_file: env.string("DATA_FILE").map(PathBuf::from),
            served_by: env
                .string("SERVED_BY")
                .unwrap_or_else(|| gethostname::gethostname().to_string_lossy().into_owned()),
        })
    }
}

#[cfg(test)]
mod tests {
    use service_kit::testing::lookup;

    use super::*;

    #[test]
    fn defaults_serve_the_embedded_dataset_as_the_hostname() {
        let s = Settings::from_lookup(lookup(&[], &[])).unwrap();
        assert!(s.data_file.is_none());
        assert!(!s.served_by.is_empty());
    }

    #[test]
    fn served_by_and_data_file_can_be_set() {
        let s =
            Settings::from_lookup(lookup(&[], &[("SERVED_BY", "replica-7"), ("DATA_FILE", " /data/x.json ")])).unwrap();
        assert_eq!(s.served_by, "replica-7");
        assert_eq!(s.data_file, Some(PathBuf::from("/data/x.json")));
    }

    #[test]
    fn a_bad_http_setting_names_the_variable() {
        let err = Settings::from_lookup(lookup(&[], &[("PORT", "http")])).unwrap_err();
        assert!(err.to_string().contains("PORT"), "{err}");
    }
}
