//! `/data`, `/data/{partitionKey}`, `/data/{partitionKey}/{id}`: the dataset.
//!
//! Bodies and entity tags come ready-made from the [`Store`]; a handler only looks
//! them up and answers 200 or, when `If-None-Match` matches, 304.

use actix_web::{
    HttpMessage, HttpRequest, HttpResponse,
    http::header::{self, IfNoneMatch},
    web,
};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::{
    error::{ApiError, Problem},
    store::{Body, Missing, Store},
};

/// The partitions, sorted.
#[derive(Serialize, ToSchema)]
#[schema(example = json!({"partitions": ["customers", "orders", "products"]}))]
pub struct PartitionList {
    pub partitions: Vec<String>,
}

/// The record ids of one partition, sorted.
#[derive(Serialize, ToSchema)]
#[schema(example = json!({"partition": "orders", "ids": ["ord_20240", "ord_20247"]}))]
pub struct IdList {
    pub partition: String,
    pub ids: Vec<String>,
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Path)]
#[serde(rename_all = "camelCase")]
pub struct PartitionPath {
    /// A partition key, e.g. `orders`.
    #[param(example = "orders")]
    pub partition_key: String,
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Path)]
#[serde(rename_all = "camelCase")]
pub struct RecordPath {
    /// A partition key, e.g. `orders`.
    #[param(example = "orders")]
    pub partition_key: String,
    /// A record id within the partition, e.g. `ord_20240`.
    #[param(example = "ord_20240")]
    pub id: String,
}

/// List the partitions.
#[utoipa::path(
    get, path = "/data", tag = "data",
    responses(
        (status = 200, description = "All partition keys, sorted", body = PartitionList,
            headers(("ETag" = String, description = "Strong entity tag of the body"),
                    ("X-Served-By" = String, description = "The replica that answered"))),
        (status = 304, description = "`If-None-Match` matched: the cached copy is current"),
    )
)]
pub async fn partitions(req: HttpRequest, store: web::Data<Store>) -> HttpResponse {
    conditional(&req, store.partitions())
}

/// List the record ids of a partition.
#[utoipa::path(
    get, path = "/data/{partitionKey}", tag = "data", params(PartitionPath),
    responses(
        (status = 200, description = "The partition's record ids, sorted", body = IdList,
            headers(("ETag" = String, description = "Strong entity tag of the body"),
                    ("X-Served-By" = String, description = "The replica that answered"))),
        (status = 304, description = "`If-None-Match` matched: the cached copy is current"),
        (status = 404, description = "No such partition", body = Problem,
            content_type = "application/problem+json"),
    )
)]
pub async fn ids(
    req: HttpRequest,
    path: web::Path<PartitionPath>,
    store: web::Data<Store>,
) -> Result<HttpResponse, ApiError> {
    let body = store.ids(&path.partition_key).map_err(|_| ApiError::unknown_partition(&path.partition_key))?;
    Ok(conditional(&req, body))
}

/// Get one record, exactly as stored.
#[utoipa::path(
    get, path = "/data/{partitionKey}/{id}", tag = "data", params(RecordPath),
    responses(
        (status = 200, description = "The stored record: any JSON value", body = serde_json::Value,
            headers(("ETag" = String, description = "Strong entity tag of the body"),
                    ("X-Served-By" = String, description = "The replica that answered"))),
        (status = 304, description = "`If-None-Match` matched: the cached copy is current"),
        (status = 404, description = "No such partition, or no such record in it", body = Problem,
            content_type = "application/problem+json"),
    )
)]
pub async fn record(
    req: HttpRequest,
    path: web::Path<RecordPath>,
    store: web::Data<Store>,
) -> Result<HttpResponse, ApiError> {
    let body = store.record(&path.partition_key, &path.id).map_err(|missing| match missing {
        Missing::Partition => ApiError::unknown_partition(&path.partition_key),
        Missing::Record => ApiError::unknown_record(&path.partition_key, &path.id),
    })?;
    Ok(conditional(&req, body))
}

/// 304 when the caller already holds this body, 200 with it otherwise.
fn conditional(req: &HttpRequest, body: &Body) -> HttpResponse {
    if matches_if_none_match(req, body) {
        HttpResponse::NotModified().insert_header((header::ETAG, body.etag.clone())).finish()
    } else {
        HttpResponse::Ok()
            .content_type(mime_json())
            .insert_header((header::ETAG, body.etag.clone()))
            .body(body.json.clone())
    }
}

/// RFC 9110 §13.1.2: `If-None-Match` uses the weak comparison, and `*` matches
/// any current representation.
fn matches_if_none_match(req: &HttpRequest, body: &Body) -> bool {
    if !req.headers().contains_key(header::IF_NONE_MATCH) {
        return false;
    }
    match req.get_header::<IfNoneMatch>() {
        Some(IfNoneMatch::Any) => true,
        Some(IfNoneMatch::Items(tags)) => tags.iter().any(|tag| tag.tag() == body.opaque_tag()),
        None => false,
    }
}

fn mime_json() -> header::ContentType {
    header::ContentType::json()
}
