//! `spawn_app`: starts the real server in-process on an ephemeral port.

pub use service_kit::testing::{TestApp, assert_problem, content_type};
use service_kit::{settings::FromEnv, testing::lookup};
use storagesvc::{configuration::Settings, startup};

pub const SERVED_BY: &str = "replica-under-test";

/// Starts storagesvc with `vars` on top of test defaults (port 0, loopback).
pub async fn spawn_app_with(vars: &[(&str, &str)]) -> TestApp {
    let defaults = [("PORT", "0"), ("HOST", "127.0.0.1"), ("SERVED_BY", SERVED_BY)];
    let settings = Settings::from_lookup(lookup(&defaults, vars)).expect("valid test settings");
    TestApp::spawn(startup::build(settings).expect("server starts"))
}

pub async fn spawn_app() -> TestApp {
    spawn_app_with(&[]).await
}

pub async fn spawn_dev_app() -> TestApp {
    spawn_app_with(&[("APP_ENV", "development")]).await
}
