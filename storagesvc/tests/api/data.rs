//! The dataset routes: listings, records, ETags, `X-Served-By`.

use serde_json::Value;

use crate::helpers::{SERVED_BY, content_type, spawn_app, spawn_app_with};

#[actix_web::test]
async fn partitions_are_listed_sorted() {
    let app = spawn_app().await;

    let response = app.get("/data").await;

    assert_eq!(response.status(), 200);
    assert_eq!(content_type(response.headers()), "application/json");
    let body: Value = response.json().await.unwrap();
    let partitions: Vec<&str> = body["partitions"].as_array().unwrap().iter().map(|p| p.as_str().unwrap()).collect();
    assert_eq!(partitions, ["customers", "orders", "products"]);
}

#[actix_web::test]
async fn partition_ids_are_listed_sorted() {
    let app = spawn_app().await;

    let body: Value = app.get("/data/orders").await.json().await.unwrap();

    assert_eq!(body["partition"], "orders");
    let ids: Vec<&str> = body["ids"].as_array().unwrap().iter().map(|i| i.as_str().unwrap()).collect();
    assert!(ids.len() >= 20);
    let mut sorted = ids.clone();
    sorted.sort();
    assert_eq!(ids, sorted);
}

#[actix_web::test]
async fn a_record_is_returned_as_stored() {
    let app = spawn_app().await;
    let dataset: Value = serde_json::from_str(storagesvc::EMBEDDED_DATASET).unwrap();

    let response = app.get("/data/orders/ord_20240").await;

    assert_eq!(response.status(), 200);
    assert_eq!(content_type(response.headers()), "application/json");
    let record: Value = response.json().await.unwrap();
    assert_eq!(record, dataset["orders"]["ord_20240"]);
    assert_eq!(record["id"], "ord_20240");
}

#[actix_web::test]
async fn every_response_names_the_replica() {
    let app = spawn_app().await;

    for path in ["/data", "/data/orders", "/data/orders/ord_20240", "/data/nope", "/healthz", "/nowhere"] {
        let response = app.get(path).await;
        assert_eq!(response.headers()["x-served-by"], SERVED_BY, "{path}");
    }
}

#[actix_web::test]
async fn matching_if_none_match_gets_304_with_the_same_etag() {
    let app = spawn_app().await;
    for path in ["/data", "/data/customers", "/data/customers/cus_1001"] {
        let first = app.get(path).await;
        let etag = first.headers()["etag"].to_str().unwrap().to_owned();
        assert!(etag.starts_with('"') && !etag.starts_with("W/"), "strong tag: {etag}");

        let second = app
            .client
            .get(format!("{}{path}", app.address))
            .header("If-None-Match", format!("\"other\", {etag}"))
            .send()
            .await
            .unwrap();

        assert_eq!(second.status(), 304, "{path}");
        assert_eq!(second.headers()["etag"], etag.as_str());
        assert_eq!(second.headers()["x-served-by"], SERVED_BY);
        assert!(second.bytes().await.unwrap().is_empty());
    }
}

#[actix_web::test]
async fn weak_and_wildcard_validators_match_but_others_do_not() {
    let app = spawn_app().await;
    let url = format!("{}/data/products", app.address);
    let etag = app.get("/data/products").await.headers()["etag"].to_str().unwrap().to_owned();

    let send = |value: String| app.client.get(&url).header("If-None-Match", value).send();

    assert_eq!(send(format!("W/{etag}")).await.unwrap().status(), 304, "weak comparison");
    assert_eq!(send("*".into()).await.unwrap().status(), 304);
    assert_eq!(send("\"stale\"".into()).await.unwrap().status(), 200);
}

#[actix_web::test]
async fn replicas_with_the_same_data_agree_on_etags() {
    let a = spawn_app_with(&[("SERVED_BY", "a")]).await;
    let b = spawn_app_with(&[("SERVED_BY", "b")]).await;

    let tag_a = a.get("/data/orders/ord_20247").await.headers()["etag"].clone();
    let tag_b = b.get("/data/orders/ord_20247").await.headers()["etag"].clone();

    assert_eq!(tag_a, tag_b);
}

#[actix_web::test]
async fn head_answers_like_get_without_a_body() {
    let app = spawn_app().await;

    let response = app.client.head(format!("{}/data/orders/ord_20240", app.address)).send().await.unwrap();

    assert_eq!(response.status(), 200);
    assert!(response.headers().contains_key("etag"));
    assert!(response.bytes().await.unwrap().is_empty());
}
