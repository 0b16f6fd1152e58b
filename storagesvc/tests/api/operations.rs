//! Health, readiness and metrics.

use serde_json::Value;

use crate::helpers::{content_type, spawn_app};

#[actix_web::test]
async fn healthz_and_readyz_are_ok() {
    let app = spawn_app().await;

    for path in ["/healthz", "/readyz"] {
        let response = app.get(path).await;
        assert_eq!(response.status(), 200, "{path}");
        let body: Value = response.json().await.unwrap();
        assert_eq!(body, serde_json::json!({"status": "ok"}));
    }
}

#[actix_web::test]
async fn metrics_count_requests_by_route_and_status() {
    let app = spawn_app().await;
    app.get("/data/orders/ord_20240").await;
    app.get("/data/orders/ord_20240").await;
    app.get("/data/orders/missing").await;
    app.get("/not/a/route").await;

    let response = app.get("/metrics").await;

    assert_eq!(response.status(), 200);
    assert!(content_type(response.headers()).starts_with("text/plain"));
    let text = response.text().await.unwrap();
    let line = |route: &str, status: &str| {
        text.lines()
            .find(|l| {
                l.starts_with("storagesvc_http_requests_total{")
                    && l.contains(&format!("route=\"{route}\""))
                    && l.contains(&format!("status=\"{status}\""))
            })
            .map(|l| l.rsplit(' ').next().unwrap().to_owned())
    };
    assert_eq!(line("/data/{partitionKey}/{id}", "200").as_deref(), Some("2"), "{text}");
    assert_eq!(line("/data/{partitionKey}/{id}", "404").as_deref(), Some("1"), "{text}");
    assert_eq!(line("unmatched", "404").as_deref(), Some("1"), "{text}");
    assert!(text.contains("storagesvc_http_request_duration_seconds_bucket{"), "latency histogram present");
}
