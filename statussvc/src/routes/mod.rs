//! Every route of the service and its OpenAPI document, registered in one
//! place ([`configure`]), so the server and the tests serve exactly the same
//! thing and the document lists what is wired.

use actix_web::{dev::HttpServiceFactory, middleware::from_fn, web};
use service_kit::{
    metrics::{HttpMetrics, record},
    problem::RouteError,
    routes as kit,
    settings::AppEnv,
};
use utoipa::OpenApi;

use crate::error::ApiError;

mod health;
mod limited;
pub mod status;
mod stream;
pub mod unavailable;

/// The OpenAPI 3.1 document, generated from the handlers' `#[utoipa::path]`s.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "statussvc",
        description = "Live status of the assembly's containers, discovered through the Docker \
            Engine API by label and kept current by its event stream. Requests are answered from \
            memory. Errors are RFC 9457 `application/problem+json`."
    ),
    paths(
        status::status,
        stream::stream,
        unavailable::unavailable,
        limited::limited,
        health::readyz,
    ),
    components(schemas(unavailable::NoReplicaProblem)),
    tags(
        (name = "status", description = "Which replicas exist and whether they are up"),
        (name = "gateway", description = "Answers the gateway shows on behalf of an app"),
    )
)]
struct ApiDoc;

/// A route the gateway sends an app's requests to, for every method an app
/// might be sent: the gateway forwards the client's method, and a POST to a
/// down or limited app deserves the same answer as a GET.
fn gateway_answer<F, Args>(
    path: &'static str,
    handler: F,
    metrics: &HttpMetrics,
) -> impl HttpServiceFactory + use<F, Args>
where
    F: actix_web::Handler<Args>,
    Args: actix_web::FromRequest + 'static,
    F::Output: actix_web::Responder + 'static,
{
    let route = metrics.route(path);
    web::resource(path)
        .route(web::route().guard(unavailable::methods()).to(handler))
        .default_service(web::to(|| async {
            Err::<(), _>(RouteError::MethodNotAllowed { allow: unavailable::ALLOWED_METHODS })
        }))
        .wrap(from_fn(move |req, next| record(route.clone(), req, next)))
}

/// Registers all routes. The OpenAPI document and Swagger UI exist only in
/// development; in production those paths fall through to the 404 problem.
pub fn configure(cfg: &mut web::ServiceConfig, env: AppEnv, metrics: &HttpMetrics) {
    cfg.app_data(web::QueryConfig::default().error_handler(|err, _| ApiError::InvalidQuery(err.to_string()).into()))
        .service(kit::resource("/status", status::status, metrics.route("/status")))
        .service(kit::resource("/status/stream", stream::stream, metrics.route("/status/stream")))
        .service(gateway_answer("/unavailable/{appName}", unavailable::unavailable, metrics))
        .service(gateway_answer("/limited/{appName}", limited::limited, metrics))
        .service(kit::resource("/readyz", health::readyz, metrics.route("/readyz")));
    kit::configure_common(cfg, metrics, env, ApiDoc::openapi);
}
