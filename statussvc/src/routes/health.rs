//! `/readyz`: the view is live (`/healthz`, liveness, comes from the service kit).

use actix_web::{HttpResponse, web};
use service_kit::{problem::Problem, routes::probes::Probe};

use crate::{error::ApiError, state::StatusState};

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
        return Ok(Probe::ok());
    }
    let why = match (&snapshot.docker.last_error, snapshot.docker.last_sync_at) {
        (Some(error), Some(at)) => format!("Docker is unreachable ({error}); last synced at {at}."),
        (Some(error), None) => format!("Docker is unreachable ({error}); containers never listed."),
        (None, _) => "containers not listed yet.".to_owned(),
    };
    Err(ApiError::NotReady(why))
}
