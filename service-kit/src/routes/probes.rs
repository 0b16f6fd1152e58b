//! The answer of a health probe that passes, and `/healthz` (liveness).
//!
//! Readiness means something different in each service (data loaded, Docker
//! reachable), so each service writes its own `/readyz` and answers
//! [`Probe::ok`] when it passes.

use actix_web::HttpResponse;
use serde::Serialize;
use utoipa::ToSchema;

/// The body of a passing probe.
#[derive(Serialize, ToSchema)]
#[schema(example = json!({"status": "ok"}))]
pub struct Probe {
    /// Always `ok` when the endpoint answers 200.
    pub status: &'static str,
}

impl Probe {
    pub fn ok() -> HttpResponse {
        HttpResponse::Ok().json(Self { status: "ok" })
    }
}

/// Liveness: 200 while the process runs.
#[utoipa::path(get, path = "/healthz", tag = "operations",
    responses((status = 200, description = "The process is alive", body = Probe)))]
pub async fn healthz() -> HttpResponse {
    Probe::ok()
}
