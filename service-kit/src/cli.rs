//! The `main` of every service: `<service>` serves, `<service> healthcheck`
//! probes a running one (the image's `HEALTHCHECK`).
//!
//! A bad setting stops the process before anything starts, with one line that
//! names the variable; a failure while starting (an unreadable data file, a
//! port in use) does the same. Never a panic, never a half-started service.

use std::{fmt, process::ExitCode};

use crate::{healthcheck, server::Application, settings::FromEnv};

/// Reads the settings from the environment, then serves (`build` runs inside
/// the actix runtime, so it may spawn tasks) or probes. `port` picks the port
/// a `healthcheck` probes out of the settings.
pub fn run<S: FromEnv>(
    name: &str,
    port: impl FnOnce(&S) -> u16,
    build: impl FnOnce(S) -> anyhow::Result<Application>,
) -> ExitCode {
    let settings = match S::from_env() {
        Ok(settings) => settings,
        Err(e) => return fail(name, format_args!("configuration error: {e:#}")),
    };
    match std::env::args().nth(1).as_deref() {
        None => {
            env_logger::Builder::from_env(env_logger::Env::default().default_filter_or("info")).init();
            let serve = async move {
                build(settings)?.run_until_stopped().await?;
                anyhow::Ok(())
            };
            match actix_web::rt::System::new().block_on(serve) {
                Ok(()) => ExitCode::SUCCESS,
                Err(e) => fail(name, format_args!("{e:#}")),
            }
        }
        Some("healthcheck") => match healthcheck::check(port(&settings)) {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => fail(name, format_args!("{e}")),
        },
        Some(other) => fail(name, format_args!("unknown argument `{other}`; usage: {name} [healthcheck]")),
    }
}

fn fail(name: &str, message: fmt::Arguments) -> ExitCode {
    eprintln!("{name}: error: {message}");
    ExitCode::FAILURE
}
