//! The OpenAPI 3.1 document, generated from the handlers' `#[utoipa::path]`s.

use utoipa::OpenApi;

use crate::{error::Problem, routes};

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
        routes::data::partitions,
        routes::data::ids,
        routes::data::record,
        routes::health::healthz,
        routes::health::readyz,
        routes::metrics::metrics,
    ),
    components(schemas(Problem)),
    tags(
        (name = "data", description = "The dataset"),
        (name = "operations", description = "Health and metrics"),
    )
)]
pub struct ApiDoc;
