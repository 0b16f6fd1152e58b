//! `/metrics`: the Prometheus text exposition of the service's registry.

use actix_web::{HttpResponse, web};
use prometheus::{Encoder, TextEncoder};

use crate::metrics::HttpMetrics;

/// Prometheus metrics: `<service>_http_requests_total` and
/// `<service>_http_request_duration_seconds` by route, method and status, and
/// the service's own series (the README lists them).
#[utoipa::path(get, path = "/metrics", tag = "operations",
    responses((status = 200, description = "Prometheus text format", body = String,
        content_type = "text/plain; version=0.0.4")))]
pub async fn metrics(metrics: web::Data<HttpMetrics>) -> HttpResponse {
    let encoder = TextEncoder::new();
    let mut buffer = Vec::new();
    // Encoding into a Vec only fails on non-UTF-8 label values, which ours never are.
    let _ = encoder.encode(&metrics.registry().gather(), &mut buffer);
    HttpResponse::Ok().content_type(encoder.format_type()).body(buffer)
}
