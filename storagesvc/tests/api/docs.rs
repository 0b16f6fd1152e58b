//! OpenAPI and Swagger UI: present in development, 404 in production.

use serde_json::Value;

use crate::helpers::{assert_problem, content_type, spawn_app, spawn_dev_app};

#[actix_web::test]
async fn production_serves_no_openapi_or_swagger() {
    let app = spawn_app().await;

    for path in ["/openapi.json", "/swagger/", "/swagger/index.html", "/swagger"] {
        assert_problem(app.get(path).await, 404).await;
    }
}

#[actix_web::test]
async fn development_serves_an_openapi_31_document_of_every_route() {
    let app = spawn_dev_app().await;

    let response = app.get("/openapi.json").await;

    assert_eq!(response.status(), 200);
    let doc: Value = response.json().await.unwrap();
    assert!(doc["openapi"].as_str().unwrap().starts_with("3.1"));
    for path in ["/data", "/data/{partitionKey}", "/data/{partitionKey}/{id}", "/healthz", "/readyz", "/metrics"] {
        assert!(doc["paths"][path]["get"].is_object(), "{path} documented");
    }
    let record = &doc["paths"]["/data/{partitionKey}/{id}"]["get"]["responses"];
    assert!(record["404"]["content"]["application/problem+json"].is_object(), "problem body documented");
    assert!(doc["components"]["schemas"]["Problem"].is_object());
}

#[actix_web::test]
async fn swagger_ui_loads_the_document_relatively_so_it_works_behind_a_prefix() {
    let app = spawn_dev_app().await;

    let page = app.get("/swagger/").await;
    assert_eq!(page.status(), 200);
    assert!(content_type(page.headers()).starts_with("text/html"));
    let initializer = app.get("/swagger/swagger-initializer.js").await.text().await.unwrap();
    assert!(initializer.contains("\"../openapi.json\""), "{initializer}");

    let redirect = app.client.get(format!("{}/swagger", app.address)).send().await.unwrap();
    assert_eq!(redirect.url().path(), "/swagger/", "relative redirect followed");
}

#[actix_web::test]
async fn the_document_names_the_gateway_prefix_as_its_server() {
    let app = spawn_dev_app().await;

    let direct: Value = app.get("/openapi.json").await.json().await.unwrap();
    let proxied: Value = app
        .client
        .get(format!("{}/openapi.json", app.address))
        .header("X-Forwarded-Prefix", "/storagesvc")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();

    assert_eq!(direct["servers"][0]["url"], "/");
    assert_eq!(proxied["servers"][0]["url"], "/storagesvc");
}
