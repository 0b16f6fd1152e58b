//! Every route of the service and its OpenAPI document, registered in one
//! place ([`configure`]), so the server and the tests serve exactly the same
//! thing and the document lists what is wired.

use actix_web::web;
use service_kit::{metrics::HttpMetrics, routes as kit, settings::AppEnv};
use utoipa::OpenApi;

mod data;
mod health;

/// The OpenAPI 3.1 document, generated from the handlers' `#[utoipa::path]`s.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "storagesvc",
        description = "Partition-keyed, read-only, in-memory storage. Every response carries \
            `X-Served-By` (the replica that answered). Errors are RFC 9457 \
            `application/problem+json`; paths that do not exist answer 404 and other methods \
            than GET/HEAD answer 405 with `Allow`."
    ),
    paths(
        data::partitions,
        data::ids,
        data::record,
        health::readyz,
    ),
    tags((name = "data", description = "The dataset"))
)]
struct ApiDoc;

/// Registers all routes. The OpenAPI document and Swagger UI exist only in
/// development; in production those paths fall through to the 404 problem.
pub fn configure(cfg: &mut web::ServiceConfig, env: AppEnv, metrics: &HttpMetrics) {
    cfg.service(data::scope(metrics)).service(kit::resource("/readyz", health::readyz, metrics.route("/readyz")));
    kit::configure_common(cfg, metrics, env, ApiDoc::openapi);
}
