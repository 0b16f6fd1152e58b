//! `/data`, `/data/{partitionKey}`, `/data/{partitionKey}/{id}`: the dataset.
//!
//! Bodies and entity tags come ready-made from the [`Store`]; a handler only looks
//! them up and answers 200 or, when `If-None-Match` matches, 304.
//!
//! The two keyed routes are matched by splitting the path, not by actix's
//! pattern router: its `{param}` segments are regular-expression captures,
//! which took a fifth of the CPU of a `/data/{pk}/{id}` request. The scope's
//! `/data` prefix and every other route remain ordinary static resources.

use std::borrow::Cow;

use actix_web::{
    HttpMessage, HttpRequest, HttpResponse,
    http::{
        Method,
        header::{self, IfNoneMatch},
    },
    middleware::from_fn,
    web,
};
use percent_encoding::percent_decode_str;
use serde::Serialize;
use utoipa::ToSchema;

use service_kit::{
    metrics::{HttpMetrics, UNMATCHED, record as record_request},
    problem::{Problem, RouteError},
    routes::resource,
};

use crate::{
    error::ApiError,
    store::{Body, Missing, Store},
};

const IDS_ROUTE: &str = "/data/{partitionKey}";
const RECORD_ROUTE: &str = "/data/{partitionKey}/{id}";

/// `/data` and everything under it, with per-route metrics.
pub fn scope(metrics: &HttpMetrics) -> actix_web::Scope {
    let (ids, record_route, unmatched) =
        (metrics.route(IDS_ROUTE), metrics.route(RECORD_ROUTE), metrics.route(UNMATCHED));
    web::scope("/data").service(resource("", partitions, metrics.route("/data"))).default_service(web::to(by_key).wrap(
        from_fn(move |req: actix_web::dev::ServiceRequest, next| {
            let route = match keyed(req.match_info().unprocessed()) {
                Some(Keyed::Partition(_)) => ids.clone(),
                Some(Keyed::Record(..)) => record_route.clone(),
                None => unmatched.clone(),
            };
            record_request(route, req, next)
        }),
    ))
}

/// What a path under `/data` names, as raw (still percent-encoded) segments.
enum Keyed<'a> {
    Partition(&'a str),
    Record(&'a str, &'a str),
}

/// `/{partitionKey}` or `/{partitionKey}/{id}` with non-empty segments; `None`
/// for any other shape.
fn keyed(tail: &str) -> Option<Keyed<'_>> {
    let rest = tail.strip_prefix('/')?;
    let keyed = match rest.split_once('/') {
        None => Keyed::Partition(rest),
        Some((partition, id)) if !id.is_empty() && !id.contains('/') => Keyed::Record(partition, id),
        Some(_) => return None,
    };
    let partition = match keyed {
        Keyed::Partition(p) | Keyed::Record(p, _) => p,
    };
    (!partition.is_empty()).then_some(keyed)
}

/// A segment, percent-decoded; invalid UTF-8 is a 404 like any unknown key.
fn decode(segment: &str) -> Result<Cow<'_, str>, ApiError> {
    if !segment.as_bytes().contains(&b'%') {
        return Ok(Cow::Borrowed(segment));
    }
    percent_decode_str(segment).decode_utf8().map_err(|_| ApiError::MalformedPath)
}

/// `/data/{partitionKey}` and `/data/{partitionKey}/{id}`.
async fn by_key(req: HttpRequest, store: web::Data<Store>) -> Result<HttpResponse, ApiError> {
    let keyed = keyed(req.match_info().unprocessed()).ok_or(RouteError::UnknownPath)?;
    if !matches!(*req.method(), Method::GET | Method::HEAD) {
        return Err(RouteError::MethodNotAllowed { allow: RouteError::READ_ONLY }.into());
    }
    match keyed {
        Keyed::Partition(partition) => ids(&req, &store, &decode(partition)?),
        Keyed::Record(partition, id) => record(&req, &store, &decode(partition)?, &decode(id)?),
    }
}

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
    get, path = "/data/{partitionKey}", tag = "data", params(
        ("partitionKey" = String, Path, description = "A partition key", example = "orders"),
    ),
    responses(
        (status = 200, description = "The partition's record ids, sorted", body = IdList,
            headers(("ETag" = String, description = "Strong entity tag of the body"),
                    ("X-Served-By" = String, description = "The replica that answered"))),
        (status = 304, description = "`If-None-Match` matched: the cached copy is current"),
        (status = 404, description = "No such partition", body = Problem,
            content_type = "application/problem+json"),
    )
)]
pub fn ids(req: &HttpRequest, store: &Store, partition: &str) -> Result<HttpResponse, ApiError> {
    let body = store.ids(partition).map_err(|_| ApiError::unknown_partition(partition))?;
    Ok(conditional(req, body))
}

/// Get one record, exactly as stored.
#[utoipa::path(
    get, path = "/data/{partitionKey}/{id}", tag = "data", params(
        ("partitionKey" = String, Path, description = "A partition key", example = "orders"),
        ("id" = String, Path, description = "A record id within the partition", example = "ord_20240"),
    ),
    responses(
        (status = 200, description = "The stored record: any JSON value", body = serde_json::Value,
            headers(("ETag" = String, description = "Strong entity tag of the body"),
                    ("X-Served-By" = String, description = "The replica that answered"))),
        (status = 304, description = "`If-None-Match` matched: the cached copy is current"),
        (status = 404, description = "No such partition, or no such record in it", body = Problem,
            content_type = "application/problem+json"),
    )
)]
pub fn record(req: &HttpRequest, store: &Store, partition: &str, id: &str) -> Result<HttpResponse, ApiError> {
    let body = store.record(partition, id).map_err(|missing| match missing {
        Missing::Partition => ApiError::unknown_partition(partition),
        Missing::Record => ApiError::unknown_record(partition, id),
    })?;
    Ok(conditional(req, &body))
}

/// 304 when the caller already holds this body, 200 with it otherwise.
fn conditional(req: &HttpRequest, body: &Body) -> HttpResponse {
    if matches_if_none_match(req, body) {
        HttpResponse::NotModified().insert_header((header::ETAG, body.etag.clone())).finish()
    } else {
        HttpResponse::Ok()
            .insert_header((header::CONTENT_TYPE, header::HeaderValue::from_static("application/json")))
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
