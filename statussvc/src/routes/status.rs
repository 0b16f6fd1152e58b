//! `GET /status`: every labelled container, from memory, never from Docker.

use std::{collections::HashMap, sync::Mutex};

use actix_web::{HttpResponse, http::header, web};
use jiff::Timestamp;
use service_kit::problem::Problem;

use crate::{
    error::ApiError,
    report::{Filter, StatusReport},
    state::{Snapshot, StatusState},
};

/// Every labelled container and whether the view is live.
///
/// Served from the in-memory view the Docker event stream keeps current; when
/// Docker is unreachable this is the last known view, with `docker.connected`
/// false. Sorted by app name, then container name.
#[utoipa::path(
    get, path = "/status", tag = "status", params(Filter),
    responses(
        (status = 200, description = "The (filtered) view", body = StatusReport),
        (status = 400, description = "Unknown, repeated or invalid query parameter", body = Problem,
            content_type = "application/problem+json"),
        (status = 404, description = "`id` names no labelled container", body = Problem,
            content_type = "application/problem+json"),
    )
)]
pub async fn status(
    query: web::Query<Filter>,
    state: web::Data<StatusState>,
    cache: web::Data<ReportCache>,
) -> Result<HttpResponse, ApiError> {
    let filter = query.into_inner().validated()?;
    let body = cache.body(&filter, &state.snapshot(), Timestamp::now())?;
    Ok(HttpResponse::Ok()
        .content_type(header::ContentType::json())
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .body(body))
}

/// Serialised `/status` bodies, reused while the snapshot and the current second
/// (the resolution of `uptimeSeconds`) stay the same. Without it, a response's
/// cost grows with the number of containers; with it, a poll costs the same
/// for 3 or 50 replicas.
#[derive(Default)]
pub struct ReportCache {
    entries: Mutex<HashMap<Filter, Cached>>,
}

struct Cached {
    version: u64,
    second: i64,
    body: web::Bytes,
}

/// Distinct filters remembered; beyond that the cache starts over (bounded memory
/// whatever query strings clients send).
const MAX_ENTRIES: usize = 64;

impl ReportCache {
    pub fn body(&self, filter: &Filter, snapshot: &Snapshot, now: Timestamp) -> Result<web::Bytes, ApiError> {
        let second = now.as_second();
        if let Some(hit) = self.lock().get(filter)
            && hit.version == snapshot.version
            && hit.second == second
        {
            return Ok(hit.body.clone());
        }
        let report = filter.report(snapshot, now)?;
        let body = web::Bytes::from(serde_json::to_vec(&report).unwrap_or_default());
        let mut entries = self.lock();
        if entries.len() >= MAX_ENTRIES {
            entries.clear();
        }
        entries.insert(filter.clone(), Cached { version: snapshot.version, second, body: body.clone() });
        Ok(body)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<Filter, Cached>> {
        self.entries.lock().unwrap_or_else(|e| e.into_inner())
    }
}
