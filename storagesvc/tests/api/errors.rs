//! Callers' mistakes: 404 and 405 problem bodies, odd and over-long paths.

use crate::helpers::{assert_problem, spawn_app};

#[actix_web::test]
async fn unknown_partitions_and_records_are_404_problems_naming_what_is_missing() {
    let app = spawn_app().await;

    for (path, kind, named) in [
        ("/data/invoices", "unknown-partition", "invoices"),
        ("/data/orders/ord_1", "unknown-record", "ord_1"),
        ("/data/invoices/1", "unknown-partition", "invoices"),
    ] {
        let body = assert_problem(app.get(path).await, 404).await;

        assert_eq!(body["type"], format!("urn:storagesvc:problem:{kind}"), "{path}");
        assert!(body["detail"].as_str().unwrap().contains(named), "{path}: {body}");
    }
}

#[actix_web::test]
async fn unknown_paths_are_404_problem_json() {
    let app = spawn_app().await;

    for path in ["/", "/nowhere", "/data/orders/ord_20240/extra", "/DATA", "/openapi.json", "/swagger/"] {
        let body = assert_problem(app.get(path).await, 404).await;
        assert_eq!(body["type"], "about:blank", "{path}");
    }
}

#[actix_web::test]
async fn other_methods_are_405_with_allow() {
    let app = spawn_app().await;

    for path in ["/data", "/data/orders", "/data/orders/ord_20240", "/healthz", "/metrics"] {
        for method in [reqwest::Method::POST, reqwest::Method::PUT, reqwest::Method::DELETE, reqwest::Method::PATCH] {
            let response = app.client.request(method.clone(), format!("{}{path}", app.address)).send().await.unwrap();
            assert_eq!(response.headers()["allow"], "GET, HEAD", "{method} {path}");
            assert_problem(response, 405).await;
        }
    }
}

#[actix_web::test]
async fn odd_path_segments_get_a_clean_404() {
    let app = spawn_app().await;
    let long = "x".repeat(8000);

    for path in [
        "/data/%FF%FE".to_owned(),
        "/data/orders/%00".to_owned(),
        "/data/a%2Fb".to_owned(),
        "/data/%2e%2e/orders".to_owned(),
        "/data/orders/ord_20240%20".to_owned(),
        "/data/%F0%9F%A6%80/%E2%80%AE".to_owned(),
        format!("/data/{long}"),
        format!("/data/orders/{long}"),
    ] {
        let body = assert_problem(app.get(&path).await, 404).await;
        let detail = body["detail"].as_str().unwrap();
        assert!(detail.len() < 300, "caller's text is cut short in the detail: {} bytes", detail.len());
    }
}
