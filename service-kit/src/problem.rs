//! The one error body of every API here: RFC 9457 `application/problem+json`.
//!
//! A service's own error enum turns each variant into a [`Problem`] (its `type`,
//! `title` and status live in one `match`) and answers with
//! [`Problem::response`]. The answers for paths and methods a service does not
//! serve are the same everywhere, so they live here as [`RouteError`].

use actix_web::{
    HttpResponse, HttpResponseBuilder, ResponseError,
    http::{StatusCode, header},
};
use serde::Serialize;
use utoipa::ToSchema;

pub const PROBLEM_JSON: &str = "application/problem+json";

/// `type` of a problem whose HTTP status says it all (RFC 9457 §4.2.1).
pub const ABOUT_BLANK: &str = "about:blank";

/// An RFC 9457 problem detail.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
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

impl Problem {
    pub fn new(status: StatusCode, kind: &str, title: &str, detail: impl Into<String>) -> Self {
        Self { kind: kind.to_owned(), title: title.to_owned(), status: status.as_u16(), detail: detail.into() }
    }

    /// The response carrying this problem as its body.
    pub fn response(&self) -> HttpResponse {
        respond(self.status_code()).json(self)
    }

    fn status_code(&self) -> StatusCode {
        StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
    }
}

/// A response builder for a problem body with `status`: the problem media type
/// and `Cache-Control: no-store` (a problem describes this moment, not the
/// resource). For problem types with extension members, which serialise
/// themselves.
pub fn respond(status: StatusCode) -> HttpResponseBuilder {
    let mut builder = HttpResponse::build(status);
    builder.content_type(PROBLEM_JSON).insert_header((header::CACHE_CONTROL, "no-store"));
    builder
}

/// Caller-supplied text echoed in a problem body or a log line, cut to a
/// readable length: a 4 KB path segment does not come back as a 4 KB `detail`.
pub fn excerpt(text: &str) -> String {
    const MAX_CHARS: usize = 100;
    match text.char_indices().nth(MAX_CHARS) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text.to_owned(),
    }
}

/// What every service answers for a path or a method it does not serve.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RouteError {
    #[error("Nothing is served at this path.")]
    UnknownPath,
    #[error("This resource only answers {allow}.")]
    MethodNotAllowed { allow: &'static str },
}

impl RouteError {
    /// The methods of a read-only resource.
    pub const READ_ONLY: &'static str = "GET, HEAD";

    pub fn problem(&self) -> Problem {
        let title = match self {
            Self::UnknownPath => "Not Found",
            Self::MethodNotAllowed { .. } => "Method Not Allowed",
        };
        Problem::new(self.status_code(), ABOUT_BLANK, title, self.to_string())
    }
}

impl ResponseError for RouteError {
    fn status_code(&self) -> StatusCode {
        match self {
            Self::UnknownPath => StatusCode::NOT_FOUND,
            Self::MethodNotAllowed { .. } => StatusCode::METHOD_NOT_ALLOWED,
        }
    }

    fn error_response(&self) -> HttpResponse {
        let problem = self.problem();
        let mut builder = respond(self.status_code());
        if let Self::MethodNotAllowed { allow } = self {
            builder.insert_header((header::ALLOW, *allow));
        }
        builder.json(problem)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn excerpt_cuts_long_text_at_a_character_boundary() {
        assert_eq!(excerpt("short"), "short");
        let long = "é".repeat(150);
        let cut = excerpt(&long);
        assert_eq!(cut.chars().count(), 101, "100 characters and an ellipsis");
        assert!(cut.ends_with('…'));
    }

    #[test]
    fn route_errors_are_about_blank_with_their_status() {
        let not_found = RouteError::UnknownPath.problem();
        assert_eq!((not_found.status, not_found.kind.as_str()), (404, ABOUT_BLANK));
        let method = RouteError::MethodNotAllowed { allow: RouteError::READ_ONLY };
        assert_eq!(method.problem().status, 405);
        assert_eq!(method.error_response().headers().get(header::ALLOW).unwrap(), "GET, HEAD");
        assert_eq!(method.error_response().headers().get(header::CACHE_CONTROL).unwrap(), "no-store");
    }
}
