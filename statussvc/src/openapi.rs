//! The OpenAPI 3.1 document, generated from the handlers' `#[utoipa::path]`s.

use utoipa::OpenApi;

use crate::{
    error::{NoReplicaProblem, Problem},
    routes,
};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "statussvc",
        description = "Live status of the assembly's containers, discovered through the Docker \
            Engine API by label and kept current by its event stream. Requests are answered from \
            memory. Errors are RFC 9457 `application/problem+json`."
    ),
    paths(
        routes::status::status,
        routes::stream::stream,
        routes::unavailable::unavailable,
        routes::health::healthz,
        routes::health::readyz,
        routes::metrics::metrics,
    ),
    components(schemas(Problem, NoReplicaProblem)),
    tags(
        (name = "status", description = "Which replicas exist and whether they are up"),
        (name = "gateway", description = "Answers the gateway shows on behalf of an app"),
        (name = "operations", description = "Health and metrics"),
    )
)]
pub struct ApiDoc;
