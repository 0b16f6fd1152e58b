//! `/healthz` (the process runs) and `/readyz` (it can serve data).
//!
//! The dataset is loaded before the listener accepts anything, so once this
//! process answers at all it is ready; both exist so orchestrators can ask the
//! usual two questions.

use actix_web::HttpResponse;
use serde::Serialize;
use utoipa::ToSchema;

#[derive(Serialize, ToSchema)]
#[schema(example = json!({"status": "ok"}))]
pub struct Health {
    /// Always `ok` when the endpoint answers 200.
    pub status: String,
}

fn ok() -> HttpResponse {
    HttpResponse::Ok().json(Health { status: "ok".into() })
}

/// Liveness: 200 while the process runs.
#[utoipa::path(get, path = "/healthz", tag = "operations",
    responses((status = 200, description = "The process is alive", body = Health)))]
pub async fn healthz() -> HttpResponse {
    ok()
}

/// Readiness: 200 once the dataset is loaded (which happens before the port opens).
#[utoipa::path(get, path = "/readyz", tag = "operations",
    responses((status = 200, description = "The dataset is loaded", body = Health)))]
pub async fn readyz() -> HttpResponse {
    ok()
}
