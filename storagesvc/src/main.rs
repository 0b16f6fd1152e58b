//! Entry point: `storagesvc` serves, `storagesvc healthcheck` probes a running one.

use std::process::ExitCode;

use storagesvc::{configuration::Settings, startup};

fn main() -> ExitCode {
    service_kit::cli::run::<Settings>("storagesvc", |s| s.http.port, startup::build)
}
