//! The one error body of the API: RFC 9457 `application/problem+json`.
//!
//! Every handler returns [`ApiError`] for a caller's mistake; its
//! [`ResponseError`] impl turns it into a [`Problem`] with the right status.
//! Client mistakes are answered, not logged as server errors.

use actix_web::{
    HttpResponse, ResponseError,
    http::{StatusCode, header},
};
use serde::Serialize;
use utoipa::ToSchema;

pub const PROBLEM_JSON: &str = "application/problem+json";

/// An RFC 9457 problem detail.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "type": "urn:storagesvc:problem:unknown-partition",
    "title": "Unknown partition",
    "status": 404,
    "detail": "There is no partition \"invoices\"."
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

/// Everything a caller can get wrong.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("There is no partition {partition:?}.")]
    UnknownPartition { partition: String },
    #[error("Partition {partition:?} has no record {id:?}.")]
    UnknownRecord { partition: String, id: String },
    #[error("Nothing is served at this path.")]
    UnknownPath,
    #[error("A path segment is not valid percent-encoded UTF-8.")]
    MalformedPath,
    #[error("This resource only answers GET and HEAD.")]
    MethodNotAllowed,
}

/// The methods every resource of this API allows.
pub const ALLOWED_METHODS: &str = "GET, HEAD";

impl ApiError {
    pub fn unknown_partition(partition: &str) -> Self {
        Self::UnknownPartition { partition: excerpt(partition) }
    }

    pub fn unknown_record(partition: &str, id: &str) -> Self {
        Self::UnknownRecord { partition: excerpt(partition), id: excerpt(id) }
    }

    fn kind_and_title(&self) -> (&'static str, &'static str) {
        match self {
            Self::UnknownPartition { .. } => ("urn:storagesvc:problem:unknown-partition", "Unknown partition"),
            Self::UnknownRecord { .. } => ("urn:storagesvc:problem:unknown-record", "Unknown record"),
            Self::UnknownPath | Self::MalformedPath => ("about:blank", "Not Found"),
            Self::MethodNotAllowed => ("about:blank", "Method Not Allowed"),
        }
    }

    pub fn problem(&self) -> Problem {
        let (kind, title) = self.kind_and_title();
        Problem {
            kind: kind.into(),
            title: title.into(),
            status: self.status_code().as_u16(),
            detail: self.to_string(),
        }
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        match self {
            Self::UnknownPartition { .. } | Self::UnknownRecord { .. } | Self::UnknownPath | Self::MalformedPath => {
                StatusCode::NOT_FOUND
            }
            Self::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
        }
    }

    fn error_response(&self) -> HttpResponse {
        let mut builder = HttpResponse::build(self.status_code());
        builder.content_type(PROBLEM_JSON);
        if matches!(self, Self::MethodNotAllowed) {
            builder.insert_header((header::ALLOW, ALLOWED_METHODS));
        }
        builder.json(self.problem())
    }
}

/// Caller-supplied text echoed in a problem body is cut to a readable length, so a
/// 4 KB path segment does not come back as a 4 KB `detail`.
fn excerpt(text: &str) -> String {
    const MAX_CHARS: usize = 100;
    match text.char_indices().nth(MAX_CHARS) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text.to_owned(),
    }
}
