//! `/healthz` (the process runs) and `/readyz` (the view is live).

use actix_web::{HttpResponse, web};
use serde::Serialize;
use utoipa::ToSchema;

use crate::{
    error::{ApiError, Problem},
    state::StatusState,
};

#[derive(Serialize, ToSchema)]
#[schema(example = json!({"status": "ok"}))]
pub struct Probe {
    /// Always `ok` when the endpoint answers 200.
    pub status: String,
}

fn ok() -> HttpResponse {
    HttpResponse::Ok().json(Probe { status: "ok".into() })
}

/// Liveness: 200 while the process runs, whatever Docker does.
#[utoipa::path(get, path = "/healthz", tag = "operations",
    responses((status = 200, description = "The process is alive", body = Probe)))]
pub async fn healthz() -> HttpResponse {
    ok()
}

/// Readiness: 200 once containers were listed and while the Docker link is up;
/// 503 while Docker is unreachable (`/status` still answers, flagged stale).
#[utoipa::path(get, path = "/readyz", tag = "operations",
    responses(
        (status = 200, description = "The view is live", body = Probe),
        (status = 503, description = "Docker is unreachable or not yet listed", body = Problem,
            content_type = "application/problem+json"),
    ))]
pub async fn readyz(state: web::Data<StatusState>) -> Result<HttpResponse, ApiError> {
    let snapshot = state.snapshot();
    if snapshot.is_ready() {
        return Ok(ok());
    }
    let why = match (&snapshot.docker.last_error, snapshot.docker.last_sync_at) {
        (Some(error), Some(at)) => format!("Docker is unreachable ({error}); last synced at {at}."),
        (Some(error), None) => format!("Docker is unreachable ({error}); containers never listed."),
        (None, _) => "containers not listed yet.".to_owned(),
    };
    Err(ApiError::NotReady(why))
}
