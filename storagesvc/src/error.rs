//! Callers' mistakes, each answered as an RFC 9457 problem with its status.
//!
//! Client mistakes are answered, not logged as server errors. The answers for
//! unknown paths and methods are the service kit's [`RouteError`].

use actix_web::{HttpResponse, ResponseError, http::StatusCode};
use service_kit::problem::{ABOUT_BLANK, Problem, RouteError, excerpt};

/// Everything a caller can get wrong.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("There is no partition {partition:?}.")]
    UnknownPartition { partition: String },
    #[error("Partition {partition:?} has no record {id:?}.")]
    UnknownRecord { partition: String, id: String },
    #[error("A path segment is not valid percent-encoded UTF-8.")]
    MalformedPath,
    #[error(transparent)]
    Route(#[from] RouteError),
}

impl ApiError {
    pub fn unknown_partition(partition: &str) -> Self {
        Self::UnknownPartition { partition: excerpt(partition) }
    }

    pub fn unknown_record(partition: &str, id: &str) -> Self {
        Self::UnknownRecord { partition: excerpt(partition), id: excerpt(id) }
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        match self {
            Self::UnknownPartition { .. } | Self::UnknownRecord { .. } | Self::MalformedPath => StatusCode::NOT_FOUND,
            Self::Route(route) => route.status_code(),
        }
    }

    fn error_response(&self) -> HttpResponse {
        let (kind, title) = match self {
            Self::UnknownPartition { .. } => ("urn:storagesvc:problem:unknown-partition", "Unknown partition"),
            Self::UnknownRecord { .. } => ("urn:storagesvc:problem:unknown-record", "Unknown record"),
            Self::MalformedPath => (ABOUT_BLANK, "Not Found"),
            Self::Route(route) => return route.error_response(),
        };
        Problem::new(self.status_code(), kind, title, self.to_string()).response()
    }
}
