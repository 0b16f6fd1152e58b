//! `spawn_app`: starts the real server in-process on an ephemeral port.

use std::collections::HashMap;

use reqwest::{Client, Response, header::HeaderMap};
use serde_json::Value;
use storagesvc::{configuration::Settings, startup::Application};

pub const SERVED_BY: &str = "replica-under-test";

pub struct TestApp {
    pub address: String,
    pub client: Client,
}

impl TestApp {
    pub async fn get(&self, path: &str) -> Response {
        self.client.get(format!("{}{path}", self.address)).send().await.expect("request failed")
    }
}

/// Starts storagesvc with `vars` on top of test defaults (port 0, loopback).
pub async fn spawn_app_with(vars: &[(&str, &str)]) -> TestApp {
    let mut env: HashMap<String, String> = [("PORT", "0"), ("HOST", "127.0.0.1"), ("SERVED_BY", SERVED_BY)]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect();
    env.extend(vars.iter().map(|(k, v)| (k.to_string(), v.to_string())));
    let settings = Settings::from_lookup(|k| env.get(k).cloned()).expect("valid test settings");
    let app = Application::build(settings).expect("server starts");
    let address = format!("http://127.0.0.1:{}", app.port());
    actix_web::rt::spawn(app.run_until_stopped());
    TestApp { address, client: Client::new() }
}

pub async fn spawn_app() -> TestApp {
    spawn_app_with(&[]).await
}

pub async fn spawn_dev_app() -> TestApp {
    spawn_app_with(&[("APP_ENV", "development")]).await
}

pub fn content_type(headers: &HeaderMap) -> &str {
    headers.get("content-type").and_then(|v| v.to_str().ok()).unwrap_or("")
}

/// Asserts an RFC 9457 body with this status and returns it.
pub async fn assert_problem(response: Response, status: u16) -> Value {
    assert_eq!(response.status().as_u16(), status);
    assert_eq!(content_type(response.headers()), "application/problem+json");
    let body: Value = response.json().await.expect("problem body is JSON");
    assert_eq!(body["status"], status, "{body}");
    for member in ["type", "title", "detail"] {
        assert!(body[member].as_str().is_some_and(|s| !s.is_empty()), "missing {member}: {body}");
    }
    body
}
