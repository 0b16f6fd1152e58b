//! `/readyz`: the replica can serve data.
//!
//! The dataset is loaded before the listener accepts anything, so once this
//! process answers at all it is ready; it exists so orchestrators can ask the
//! usual second question (`/healthz`, liveness, comes from the service kit).

use actix_web::HttpResponse;
use service_kit::routes::probes::Probe;

/// Readiness: 200 once the dataset is loaded (which happens before the port opens).
#[utoipa::path(get, path = "/readyz", tag = "operations",
    responses((status = 200, description = "The dataset is loaded", body = Probe)))]
pub async fn readyz() -> HttpResponse {
    Probe::ok()
}
