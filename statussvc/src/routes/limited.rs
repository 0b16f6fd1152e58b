//! `/limited/{appName}`: the gateway's answer when a client goes over its
//! rate limit or in-flight cap for an app.
//!
//! Traefik's rate limiter answers 429 in plain text; the router's `errors`
//! middleware sends that request here instead, so the client gets the same
//! `application/problem+json` as every other answer, with `Retry-After`.

use actix_web::{
    HttpResponse,
    http::{StatusCode, header},
    web,
};
use service_kit::problem::{self, Problem, excerpt};

/// Seconds a limited client should wait: the limiter's period (`1s` in the
/// compose labels), after which its budget has refilled by the average rate.
pub const RETRY_AFTER_SECS: u64 = 1;

/// Too many requests from one client address: 429 with `Retry-After`.
#[utoipa::path(
    method(get, head, post, put, patch, delete), path = "/limited/{appName}", tag = "gateway",
    params(("appName" = String, Path, description = "The app whose limit was reached, e.g. `storagesvc`")),
    responses(
        (status = 429, description = "Over the per-client rate limit or in-flight cap; retry after `Retry-After` seconds",
            body = Problem, content_type = "application/problem+json",
            headers(("Retry-After" = String, description = "Seconds to wait before retrying"))),
    )
)]
pub async fn limited(app_name: web::Path<String>) -> HttpResponse {
    let app_name = excerpt(&app_name);
    let body = Problem::new(
        StatusCode::TOO_MANY_REQUESTS,
        "urn:statussvc:problem:rate-limited",
        "Too many requests",
        format!(
            "Too many requests to {app_name} from your address, or too many at once. Retry after {RETRY_AFTER_SECS} s."
        ),
    );
    problem::respond(StatusCode::TOO_MANY_REQUESTS)
        .insert_header((header::RETRY_AFTER, RETRY_AFTER_SECS.to_string()))
        .json(body)
}
