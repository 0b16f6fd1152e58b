//! For the services' integration tests (feature `testing`): the real server
//! on port 0, an HTTP client, and assertions on problem bodies.

use std::collections::HashMap;

use reqwest::{Client, Response, header::HeaderMap};
use serde_json::Value;

use crate::server::Application;

/// A running server and a client for it.
pub struct TestApp {
    pub address: String,
    pub client: Client,
}

impl TestApp {
    /// Runs `app` on the current actix runtime.
    pub fn spawn(app: Application) -> Self {
        let address = format!("http://127.0.0.1:{}", app.port());
        actix_web::rt::spawn(app.run_until_stopped());
        Self { address, client: Client::new() }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.address)
    }

    pub async fn get(&self, path: &str) -> Response {
        self.client.get(self.url(path)).send().await.expect("request failed")
    }

    /// `GET path`, which must answer 200 with JSON.
    pub async fn get_json(&self, path: &str) -> Value {
        let response = self.get(path).await;
        assert_eq!(response.status(), 200, "GET {path}");
        response.json().await.expect("a JSON body")
    }
}

/// A settings lookup: `vars` over `defaults`.
pub fn lookup(defaults: &[(&str, &str)], vars: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> + use<> {
    let map: HashMap<String, String> =
        defaults.iter().chain(vars).map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect();
    move |name: &str| map.get(name).cloned()
}

pub fn content_type(headers: &HeaderMap) -> &str {
    headers.get("content-type").and_then(|v| v.to_str().ok()).unwrap_or("")
}

/// Asserts an RFC 9457 body with this status and returns it.
pub async fn assert_problem(response: Response, status: u16) -> Value {
    assert_eq!(response.status().as_u16(), status, "status of {}", response.url());
    assert_eq!(content_type(response.headers()), "application/problem+json");
    assert_eq!(response.headers()["cache-control"], "no-store");
    let body: Value = response.json().await.expect("problem body is JSON");
    assert_eq!(body["status"], status, "{body}");
    for member in ["type", "title", "detail"] {
        assert!(body[member].as_str().is_some_and(|s| !s.is_empty()), "missing {member}: {body}");
    }
    body
}
