//! Callers' mistakes (and `/readyz`'s "not yet"), each answered as an RFC 9457
//! problem with its status.
//!
//! Imports nothing from the rest of the crate: routes build these from what
//! they found. The no-replica answer is not an error of its caller; its route
//! builds it (`routes/unavailable.rs`).

use actix_web::{HttpResponse, ResponseError, http::StatusCode};
use service_kit::problem::{Problem, RouteError, excerpt};

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("Query parameter `{name}` {reason}.")]
    InvalidParameter { name: &'static str, reason: &'static str },
    #[error("Invalid query string: {0}.")]
    InvalidQuery(String),
    #[error("No labelled container{scope} is named or has the id {reference:?}.")]
    UnknownReplica { reference: String, scope: String },
    #[error("Not ready: {0}")]
    NotReady(String),
    #[error(transparent)]
    Route(#[from] RouteError),
}

impl ApiError {
    pub fn unknown_replica(reference: &str, app: Option<&str>) -> Self {
        Self::UnknownReplica {
            reference: excerpt(reference),
            scope: app.map(|a| format!(" of app {:?}", excerpt(a))).unwrap_or_default(),
        }
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        match self {
            Self::InvalidParameter { .. } | Self::InvalidQuery(_) => StatusCode::BAD_REQUEST,
            Self::UnknownReplica { .. } => StatusCode::NOT_FOUND,
            Self::NotReady(_) => StatusCode::SERVICE_UNAVAILABLE,
            Self::Route(route) => route.status_code(),
        }
    }

    fn error_response(&self) -> HttpResponse {
        let (kind, title) = match self {
            Self::InvalidParameter { .. } | Self::InvalidQuery(_) => {
                ("urn:statussvc:problem:invalid-parameter", "Invalid query parameter")
            }
            Self::UnknownReplica { .. } => ("urn:statussvc:problem:unknown-replica", "Unknown replica"),
            Self::NotReady(_) => ("urn:statussvc:problem:not-ready", "Not ready"),
            Self::Route(route) => return route.error_response(),
        };
        Problem::new(self.status_code(), kind, title, self.to_string()).response()
    }
}
