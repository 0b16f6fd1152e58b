//! Entry point: `statussvc` serves, `statussvc healthcheck` probes a running one.

use std::process::ExitCode;

use statussvc::{configuration::Settings, startup};

fn main() -> ExitCode {
    service_kit::cli::run::<Settings>("statussvc", |s| s.http.port, startup::build)
}
