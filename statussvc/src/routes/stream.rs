//! `GET /status/stream`: Server-Sent Events of the view, live.
//!
//! First a `snapshot` event (the same body as `/status`), then one event per
//! change: `updated` or `removed` with the container, `docker` when the link to
//! the daemon goes up or down. A client that falls behind gets a new snapshot.

use std::{sync::Arc, time::Duration};

use actix_web::web;
use actix_web_lab::sse::{self, Sse};
use futures_util::{StreamExt, stream};
use jiff::Timestamp;
use serde::Serialize;
use service_kit::problem::Problem;
use tokio_stream::wrappers::{BroadcastStream, errors::BroadcastStreamRecvError};
use utoipa::ToSchema;

use crate::{
    error::ApiError,
    report::{DockerStatus, Filter, ServiceStatus, StatusReport},
    state::{Change, Published, StatusState},
};

const KEEP_ALIVE: Duration = Duration::from_secs(15);

/// One Server-Sent Event as it appears on the wire.
#[derive(ToSchema)]
#[allow(dead_code)] // documents the wire format; events are built by actix-web-lab
pub struct StreamEvent {
    /// `snapshot`, `updated`, `removed` or `docker`.
    #[schema(pattern = "^(snapshot|updated|removed|docker)$")]
    event: String,
    /// The view's version after this change.
    id: String,
    /// JSON: a `StatusReport` (snapshot), a `ServiceChange` (updated, removed) or
    /// a `DockerStatus` (docker).
    #[schema(content_media_type = "application/json")]
    data: String,
}

/// Data of an `updated` or `removed` event.
#[derive(Serialize, ToSchema)]
pub struct ServiceChange {
    pub service: ServiceStatus,
}

/// Live view as Server-Sent Events.
///
/// Events: `snapshot` (data: the `/status` body), `updated` and `removed` (data:
/// `{"service": …}`), `docker` (data: the `docker` object). Each event's `id` is
/// the view's version. Accepts the same filters as `/status`.
#[utoipa::path(
    get, path = "/status/stream", tag = "status", params(Filter),
    responses(
        (status = 200, description = "An endless `text/event-stream`", body = StreamEvent,
            content_type = "text/event-stream"),
        (status = 400, description = "Unknown, repeated or invalid query parameter", body = Problem,
            content_type = "application/problem+json"),
        (status = 404, description = "`id` names no labelled container", body = Problem,
            content_type = "application/problem+json"),
    )
)]
pub async fn stream(
    query: web::Query<Filter>,
    state: web::Data<StatusState>,
) -> Result<Sse<impl futures_util::Stream<Item = Result<sse::Event, serde_json::Error>>>, ApiError> {
    let filter = query.into_inner().validated()?;
    let (snapshot, receiver) = state.subscribe();
    let first = snapshot_event(filter.report(&snapshot, Timestamp::now())?, snapshot.version);
    let state = state.into_inner();
    let changes = BroadcastStream::new(receiver)
        .filter_map(move |item| std::future::ready(change_event(&filter, &state, item).transpose()));
    Ok(Sse::from_stream(stream::once(std::future::ready(first)).chain(changes)).with_keep_alive(KEEP_ALIVE))
}

fn snapshot_event(report: StatusReport, version: u64) -> Result<sse::Event, serde_json::Error> {
    Ok(sse::Event::Data(sse::Data::new_json(report)?.event("snapshot").id(version.to_string())))
}

/// The event for one published change, or `None` when the filter hides it.
fn change_event(
    filter: &Filter,
    state: &Arc<StatusState>,
    item: Result<Published, BroadcastStreamRecvError>,
) -> Result<Option<sse::Event>, serde_json::Error> {
    let published = match item {
        Ok(published) => published,
        Err(BroadcastStreamRecvError::Lagged(_)) => {
            // Fell behind: start over from the current view (an id filter whose
            // container is gone yields nothing more than its removal did).
            let snapshot = state.snapshot();
            return match filter.report(&snapshot, Timestamp::now()) {
                Ok(report) => snapshot_event(report, snapshot.version).map(Some),
                Err(_) => Ok(None),
            };
        }
    };
    let (name, data) = match published.change {
        Change::Updated(r) if filter.matches(&r) => {
            ("updated", sse::Data::new_json(ServiceChange { service: ServiceStatus::of(&r, Timestamp::now()) })?)
        }
        Change::Removed(r) if filter.matches(&r) => {
            ("removed", sse::Data::new_json(ServiceChange { service: ServiceStatus::of(&r, Timestamp::now()) })?)
        }
        Change::Docker(link) => ("docker", sse::Data::new_json(DockerStatus::from(&link))?),
        Change::Updated(_) | Change::Removed(_) => return Ok(None),
    };
    Ok(Some(sse::Event::Data(data.event(name).id(published.version.to_string()))))
}
