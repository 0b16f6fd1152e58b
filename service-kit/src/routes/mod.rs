//! Routes every service serves the same way, and the read-only resource helper
//! each service registers its own routes with.
//!
//! A service registers its own resources with [`resource`], then calls
//! [`configure_common`] for `/healthz`, `/metrics`, the development-only docs
//! and the 404 problem for every other path.

use actix_web::{Route, dev::HttpServiceFactory, guard, middleware::from_fn, web};
use utoipa::OpenApi as _;

use crate::{
    metrics::{HttpMetrics, RouteMetrics, UNMATCHED, record},
    problem::{Problem, RouteError},
    settings::AppEnv,
};

/// What every service's OpenAPI document holds besides its own routes: the
/// common routes and the schemas of the common bodies.
#[derive(utoipa::OpenApi)]
#[openapi(
    paths(probes::healthz, metrics::metrics),
    components(schemas(Problem, probes::Probe)),
    tags((name = "operations", description = "Health and metrics"))
)]
struct CommonDoc;

mod docs;
pub mod metrics;
pub mod probes;

/// A GET (and HEAD) resource at `path`; any other method is a 405 problem with
/// `Allow`. Its requests are recorded by `route`.
pub fn resource<F, Args>(path: &'static str, handler: F, route: RouteMetrics) -> impl HttpServiceFactory + use<F, Args>
where
    F: actix_web::Handler<Args>,
    Args: actix_web::FromRequest + 'static,
    F::Output: actix_web::Responder + 'static,
{
    web::resource(path)
        .route(read().to(handler))
        .default_service(web::to(|| async {
            Err::<(), _>(RouteError::MethodNotAllowed { allow: RouteError::READ_ONLY })
        }))
        .wrap(from_fn(move |req, next| record(route.clone(), req, next)))
}

/// GET or HEAD: actix answers HEAD with the GET headers and no body.
pub fn read() -> Route {
    web::route().guard(guard::Any(guard::Get()).or(guard::Head()))
}

/// `/healthz`, `/metrics`, in development `/openapi.json` and Swagger UI at
/// `/swagger/` (in production those paths are 404s like any other), and the
/// 404 problem for every path nothing else serves. Call it after registering
/// the service's own routes.
pub fn configure_common(
    cfg: &mut web::ServiceConfig,
    metrics: &HttpMetrics,
    env: AppEnv,
    doc: impl FnOnce() -> utoipa::openapi::OpenApi,
) {
    cfg.service(resource("/healthz", probes::healthz, metrics.route("/healthz"))).service(resource(
        "/metrics",
        metrics::metrics,
        metrics.route("/metrics"),
    ));
    if env.is_development() {
        let mut doc = doc();
        doc.merge(CommonDoc::openapi());
        docs::configure(cfg, doc);
    }
    let unmatched = metrics.route(UNMATCHED);
    cfg.default_service(
        web::to(|| async { Err::<(), _>(RouteError::UnknownPath) })
            .wrap(from_fn(move |req, next| record(unmatched.clone(), req, next))),
    );
}
