//! The one error body of the API: RFC 9457 `application/problem+json`.
//!
//! Handlers return [`ApiError`]; its [`ResponseError`] impl picks the status and
//! writes a [`Problem`]. Callers' mistakes are answered, not logged as errors.

use std::time::Duration;

use actix_web::{
    HttpResponse, ResponseError,
    http::{StatusCode, header},
};
use serde::Serialize;
use utoipa::ToSchema;

use crate::report::Summary;

pub const PROBLEM_JSON: &str = "application/problem+json";

/// An RFC 9457 problem detail.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "type": "urn:statussvc:problem:unknown-replica",
    "title": "Unknown replica",
    "status": 404,
    "detail": "No labelled container is named or has the id \"web-9\"."
}))]
pub struct Problem {
    /// A URI naming the kind of problem; `about:blank` when the status says it all.
    #[serde(rename = "type")]
    pub kind: String,
    /// Short summary of the kind of problem; the same for every occurrence.
    pub title: String,
    /// The HTTP status code of this response.
    pub status: u16,
    /// What went wrong this time, for a human.
    pub detail: String,
}

/// What the gateway shows when no replica of an app can serve (503, or the 502
/// or 504 it saw): a problem with the app's name and the counts behind it.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(example = json!({
    "type": "urn:statussvc:problem:no-replica-available",
    "title": "No replica available",
    "status": 503,
    "detail": "No storagesvc replica can serve right now: 3 known, 0 running. Retry after 5 s.",
    "appName": "storagesvc",
    "replicas": {"total": 3, "running": 0, "healthy": 0}
}))]
pub struct NoReplicaProblem {
    #[serde(rename = "type")]
    pub kind: String,
    pub title: String,
    pub status: u16,
    pub detail: String,
    /// The app that has no replica to serve.
    pub app_name: String,
    /// Its replicas as Docker last reported them.
    pub replicas: Summary,
}

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("Query parameter `{name}` {reason}.")]
    InvalidParameter { name: &'static str, reason: &'static str },
    #[error("Invalid query string: {0}.")]
    InvalidQuery(String),
    #[error("No labelled container{scope} is named or has the id {reference:?}.")]
    UnknownReplica { reference: String, scope: String },
    #[error("Nothing is served at this path.")]
    UnknownPath,
    #[error("This resource only answers {allow}.")]
    MethodNotAllowed { allow: &'static str },
    #[error("Not ready: {0}")]
    NotReady(String),
    #[error("{detail}")]
    NoReplica { status: StatusCode, detail: String, app_name: String, replicas: Summary, retry_after: Duration },
}

impl ApiError {
    pub fn unknown_replica(reference: &str, app: Option<&str>) -> Self {
        Self::UnknownReplica {
            reference: excerpt(reference),
            scope: app.map(|a| format!(" of app {:?}", excerpt(a))).unwrap_or_default(),
        }
    }

    fn kind_and_title(&self) -> (&'static str, &'static str) {
        match self {
            Self::InvalidParameter { .. } | Self::InvalidQuery(_) => {
                ("urn:statussvc:problem:invalid-parameter", "Invalid query parameter")
            }
            Self::UnknownReplica { .. } => ("urn:statussvc:problem:unknown-replica", "Unknown replica"),
            Self::UnknownPath => ("about:blank", "Not Found"),
            Self::MethodNotAllowed { .. } => ("about:blank", "Method Not Allowed"),
            Self::NotReady(_) => ("urn:statussvc:problem:not-ready", "Not ready"),
            Self::NoReplica { .. } => ("urn:statussvc:problem:no-replica-available", "No replica available"),
        }
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        match self {
            Self::InvalidParameter { .. } | Self::InvalidQuery(_) => StatusCode::BAD_REQUEST,
            Self::UnknownReplica { .. } | Self::UnknownPath => StatusCode::NOT_FOUND,
            Self::MethodNotAllowed { .. } => StatusCode::METHOD_NOT_ALLOWED,
            Self::NotReady(_) => StatusCode::SERVICE_UNAVAILABLE,
            Self::NoReplica { status, .. } => *status,
        }
    }

    fn error_response(&self) -> HttpResponse {
        let status = self.status_code();
        let (kind, title) = self.kind_and_title();
        let mut builder = HttpResponse::build(status);
        builder.content_type(PROBLEM_JSON).insert_header((header::CACHE_CONTROL, "no-store"));
        match self {
            Self::MethodNotAllowed { allow } => {
                builder.insert_header((header::ALLOW, *allow));
            }
            Self::NoReplica { detail, app_name, replicas, retry_after, .. } => {
                builder.insert_header((header::RETRY_AFTER, retry_after.as_secs().to_string()));
                return builder.json(NoReplicaProblem {
                    kind: kind.into(),
                    title: title.into(),
                    status: status.as_u16(),
                    detail: detail.clone(),
                    app_name: app_name.clone(),
                    replicas: *replicas,
                });
            }
            _ => {}
        }
        builder.json(Problem {
            kind: kind.into(),
            title: title.into(),
            status: status.as_u16(),
            detail: self.to_string(),
        })
    }
}

/// Caller-supplied text echoed in a problem body is cut to a readable length.
pub fn excerpt(text: &str) -> String {
    const MAX_CHARS: usize = 100;
    match text.char_indices().nth(MAX_CHARS) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text.to_owned(),
    }
}
