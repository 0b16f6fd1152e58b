//! The HTTP surface: parameters, problems, the no-replica endpoint, docs.

use serde_json::Value;

use crate::helpers::{assert_problem, spawn_app, spawn_app_with};

#[actix_web::test]
async fn bad_query_parameters_are_400_problem_json() {
    let app = spawn_app().await;

    for query in ["?bogus=1", "?appName=", "?id=", "?id=a&id=b", "?appName=a%0Ab", &format!("?id={}", "x".repeat(300))]
    {
        let body = assert_problem(app.get(&format!("/status{query}")).await, 400).await;
        assert_eq!(body["type"], "urn:statussvc:problem:invalid-parameter", "{query}");
    }
}

#[actix_web::test]
async fn unknown_id_is_404_problem_json() {
    let app = spawn_app().await;

    let body = assert_problem(app.get("/status?id=no-such-container-anywhere").await, 404).await;

    assert_eq!(body["type"], "urn:statussvc:problem:unknown-replica");
}

#[actix_web::test]
async fn an_unknown_app_is_an_empty_list_not_an_error() {
    let app = spawn_app().await;

    let status = app.get_json("/status?appName=no-such-app-anywhere").await;

    assert_eq!(status["summary"]["total"], 0);
    assert_eq!(status["services"], serde_json::json!([]));
}

#[actix_web::test]
async fn unknown_paths_are_404_and_other_methods_405() {
    let app = spawn_app().await;

    assert_problem(app.get("/nowhere").await, 404).await;
    let post = app.client.post(format!("{}/status", app.address)).send().await.unwrap();
    assert_eq!(post.headers()["allow"], "GET, HEAD");
    assert_problem(post, 405).await;
}

#[actix_web::test]
async fn the_no_replica_endpoint_is_503_with_retry_after_for_any_method() {
    let app = spawn_app_with(&[("RETRY_AFTER_SECS", "7")]).await;

    for method in [reqwest::Method::GET, reqwest::Method::POST, reqwest::Method::DELETE] {
        let response = app
            .client
            .request(method.clone(), format!("{}/unavailable/no-such-app", app.address))
            .send()
            .await
            .unwrap();
        assert_eq!(response.headers()["retry-after"], "7", "{method}");
        let body = assert_problem(response, 503).await;
        assert_eq!(body["type"], "urn:statussvc:problem:no-replica-available");
        assert_eq!(body["appName"], "no-such-app");
        assert_eq!(body["replicas"]["total"], 0);
        assert!(body["detail"].as_str().unwrap().contains("none exists"), "{body}");
    }
}

#[actix_web::test]
async fn production_has_no_openapi_or_swagger() {
    let app = spawn_app().await;

    for path in ["/openapi.json", "/swagger/", "/swagger"] {
        assert_problem(app.get(path).await, 404).await;
    }
}

#[actix_web::test]
async fn development_documents_every_route_and_serves_swagger_ui() {
    let app = spawn_app_with(&[("APP_ENV", "development")]).await;

    let doc = app.get_json("/openapi.json").await;
    let page = app.get("/swagger/").await;

    assert!(doc["openapi"].as_str().unwrap().starts_with("3.1"));
    for path in
        ["/status", "/status/stream", "/unavailable/{appName}", "/limited/{appName}", "/healthz", "/readyz", "/metrics"]
    {
        assert!(doc["paths"][path]["get"].is_object(), "{path} documented");
    }
    assert!(doc["paths"]["/status"]["get"]["responses"]["400"]["content"]["application/problem+json"].is_object());
    assert_eq!(page.status(), 200);
}

#[actix_web::test]
async fn healthz_is_ok_even_without_docker() {
    let app = spawn_app_with(&[("DOCKER_HOST", "unix:///nonexistent/docker.sock")]).await;

    let response = app.get("/healthz").await;

    assert_eq!(response.status(), 200);
    assert_eq!(response.json::<Value>().await.unwrap(), serde_json::json!({"status": "ok"}));
}

#[actix_web::test]
async fn the_no_replica_endpoint_carries_the_gateways_status() {
    let app = spawn_app().await;

    for status in [502, 503, 504] {
        let response = app.get(&format!("/unavailable/storagesvc?status={status}")).await;
        assert!(response.headers().contains_key("retry-after"));
        assert_problem(response, status).await;
    }
    for bad in ["?status=500", "?status=abc", "?other=1"] {
        assert_problem(app.get(&format!("/unavailable/storagesvc{bad}")).await, 400).await;
    }
}

#[actix_web::test]
async fn the_rate_limited_answer_is_a_429_problem_with_retry_after() {
    let app = spawn_app().await;

    let response = app.get("/limited/storagesvc").await;

    assert_eq!(response.headers()["retry-after"], "1");
    let body = assert_problem(response, 429).await;
    assert_eq!(body["type"], "urn:statussvc:problem:rate-limited");
    assert!(body["detail"].as_str().unwrap().contains("storagesvc"), "{body}");
}
