//! Entry point: `statussvc` serves, `statussvc healthcheck` probes a running one.

use std::process::ExitCode;

use statussvc::{configuration::Settings, healthcheck, startup::Application};

fn main() -> ExitCode {
    let settings = match Settings::from_env() {
        Ok(settings) => settings,
        Err(e) => return fail(format_args!("configuration error: {e:#}")),
    };
    match std::env::args().nth(1).as_deref() {
        None => serve(settings),
        Some("healthcheck") => match healthcheck::check(settings.port) {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => fail(format_args!("{e}")),
        },
        Some(other) => fail(format_args!("unknown argument `{other}`; usage: statussvc [healthcheck]")),
    }
}

fn serve(settings: Settings) -> ExitCode {
    env_logger::Builder::from_env(env_logger::Env::default().default_filter_or("info")).init();
    let result = actix_web::rt::System::new().block_on(async move {
        Application::build(settings)?.run_until_stopped().await?;
        anyhow::Ok(())
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => fail(format_args!("{e:#}")),
    }
}

fn fail(message: std::fmt::Arguments) -> ExitCode {
    eprintln!("statussvc: error: {message}");
    ExitCode::FAILURE
}
