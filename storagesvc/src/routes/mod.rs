//! Every route of the service, registered in one place ([`configure`]), so the
//! server and the tests serve exactly the same thing.

use actix_web::{HttpResponse, Route, guard, middleware::from_fn, web};

use crate::{
    configuration::AppEnv,
    error::ApiError,
    metrics::{HttpMetrics, RouteMetrics, UNMATCHED, record},
};

pub mod data;
pub mod docs;
pub mod health;
pub mod metrics;

/// Registers all routes. The OpenAPI document and Swagger UI exist only in
/// development; in production those paths fall through to the 404 problem.
pub fn configure(cfg: &mut web::ServiceConfig, env: AppEnv, metrics: &HttpMetrics) {
    cfg.service(data::scope(metrics))
        .service(resource("/healthz", health::healthz, metrics.route("/healthz")))
        .service(resource("/readyz", health::readyz, metrics.route("/readyz")))
        .service(resource("/metrics", metrics::metrics, metrics.route("/metrics")));
    if env.is_development() {
        docs::configure(cfg);
    }
    let unmatched = metrics.route(UNMATCHED);
    cfg.default_service(web::to(not_found).wrap(from_fn(move |req, next| record(unmatched.clone(), req, next))));
}

/// A GET (and HEAD) resource; any other method is a 405 problem with `Allow`.
/// Its requests are recorded by `route`.
pub(crate) fn resource<F, Args>(
    path: &'static str,
    handler: F,
    route: RouteMetrics,
) -> impl actix_web::dev::HttpServiceFactory + use<F, Args>
where
    F: actix_web::Handler<Args>,
    Args: actix_web::FromRequest + 'static,
    F::Output: actix_web::Responder + 'static,
{
    web::resource(path)
        .route(read().to(handler))
        .default_service(web::to(method_not_allowed))
        .wrap(from_fn(move |req, next| record(route.clone(), req, next)))
}

/// GET or HEAD: actix answers HEAD with the GET headers and no body.
fn read() -> Route {
    web::route().guard(guard::Any(guard::Get()).or(guard::Head()))
}

async fn method_not_allowed() -> Result<HttpResponse, ApiError> {
    Err(ApiError::MethodNotAllowed)
}

async fn not_found() -> Result<HttpResponse, ApiError> {
    Err(ApiError::UnknownPath)
}
