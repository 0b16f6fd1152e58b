//! The Docker Engine API: the only module that imports `bollard`.
//!
//! Read-only by construction: it lists, inspects and follows events (all GETs),
//! so it works behind a socket proxy that allows only those. It maps bollard's
//! models into [`Replica`] and [`ContainerEvent`] and bounds every unary call by
//! a timeout, so a hung daemon turns into an error instead of a stuck watcher.

use std::{collections::HashMap, future::Future, time::Duration};

use backon::{ExponentialBuilder, Retryable};
use bollard::{
    Docker,
    models::{ContainerInspectResponse, ContainerStateStatusEnum, EventMessageTypeEnum, HealthStatusEnum},
    query_parameters::{EventsOptions, InspectContainerOptions, ListContainersOptions},
};
use futures_util::{Stream, StreamExt, stream};
use jiff::Timestamp;

use crate::model::{ContainerState, Health, Replica, Selection};

/// Events that can change what `/status` shows for a container.
const WATCHED_ACTIONS: [&str; 11] =
    ["create", "start", "die", "stop", "kill", "pause", "unpause", "restart", "oom", "destroy", "health_status"];

/// How many containers a full sync inspects at once.
const INSPECT_CONCURRENCY: usize = 8;

/// A failed inspection is retried on its own this many times (50, 100, 200 ms
/// apart) before the resync gives up on that one container.
const INSPECT_RETRIES: usize = 3;

/// Why a Docker call failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum DockerError {
    #[error("cannot reach the Docker daemon: {0}")]
    Connect(#[source] bollard::errors::Error),
    #[error("Docker API call `{call}` failed: {source}")]
    Api { call: &'static str, source: bollard::errors::Error },
    #[error("Docker API call `{call}` timed out after {timeout:?}")]
    Timeout { call: &'static str, timeout: Duration },
    #[error("the Docker event stream ended")]
    StreamEnded,
}

/// A container event we care about: which container, and what happened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContainerEvent {
    pub id: String,
    pub action: String,
}

impl ContainerEvent {
    /// After `destroy` the container is gone; inspecting it would only 404.
    pub fn is_destroy(&self) -> bool {
        self.action == "destroy"
    }
}

/// What a full list found: every labelled container, inspected, except those
/// whose inspection kept failing. Their ids are in `unread`, so the caller can
/// keep their last known state instead of dropping them or failing the whole
/// resync for one call.
#[derive(Debug, Default)]
pub struct Listing {
    pub replicas: Vec<Replica>,
    pub unread: Vec<String>,
}

/// A connected, version-negotiated Docker client for the labelled containers.
#[derive(Clone)]
pub struct DockerClient {
    docker: Docker,
    selection: Selection,
    timeout: Duration,
}

impl DockerClient {
    /// Connects to `host` (`DOCKER_HOST`: `unix:///path` or `tcp://host:port`) and
    /// negotiates the API version down to what the daemon speaks.
    pub async fn connect(host: &str, selection: &Selection, timeout: Duration) -> Result<Self, DockerError> {
        let docker = Docker::connect_with_host(host).map_err(DockerError::Connect)?.with_timeout(timeout);
        let docker = bounded("version", timeout, docker.negotiate_version()).await?;
        Ok(Self { docker, selection: selection.clone(), timeout })
    }

    /// Every selected container (app label, and scope), stopped ones included, inspected.
    /// Fails if the list fails, or if every inspection failed (the daemon is
    /// gone, not one container).
    pub async fn list(&self) -> Result<Listing, DockerError> {
        let options = ListContainersOptions {
            all: true,
            filters: Some(HashMap::from([("label".to_owned(), self.selection.label_filters())])),
            ..Default::default()
        };
        let summaries = bounded("list containers", self.timeout, self.docker.list_containers(Some(options))).await?;
        let ids: Vec<String> = summaries.into_iter().filter_map(|s| s.id).collect();
        let inspected: Vec<(String, Result<Option<Replica>, DockerError>)> = stream::iter(ids)
            .map(|id| async move {
                let replica = self.inspect(&id).await;
                (id, replica)
            })
            .buffer_unordered(INSPECT_CONCURRENCY)
            .collect()
            .await;
        let mut listing = Listing::default();
        let mut last_error = None;
        for (id, inspected) in inspected {
            match inspected {
                Ok(Some(replica)) => listing.replicas.push(replica),
                // Removed between the list and its inspection: simply gone.
                Ok(None) => {}
                Err(error) => {
                    log::warn!(
                        "cannot inspect container {} ({error}); keeping its last known state",
                        id.get(..12).unwrap_or(&id)
                    );
                    listing.unread.push(id);
                    last_error = Some(error);
                }
            }
        }
        match last_error {
            Some(error) if listing.replicas.is_empty() => Err(error),
            _ => Ok(listing),
        }
    }

    /// One container, or `None` if it no longer exists or is not selected. A
    /// failed call is retried on its own a few times (a proxy in front of the
    /// socket may refuse a connection now and then); a timeout is not, since
    /// the call already waited its full time.
    pub async fn inspect(&self, id: &str) -> Result<Option<Replica>, DockerError> {
        let backoff =
            ExponentialBuilder::default().with_min_delay(Duration::from_millis(50)).with_max_times(INSPECT_RETRIES);
        (|| self.inspect_once(id)).retry(backoff).when(|e| !matches!(e, DockerError::Timeout { .. })).await
    }

    async fn inspect_once(&self, id: &str) -> Result<Option<Replica>, DockerError> {
        let call = self.docker.inspect_container(id, None::<InspectContainerOptions>);
        match bounded("inspect container", self.timeout, call).await {
            Ok(details) => Ok(self.replica(details)),
            Err(DockerError::Api {
                source: bollard::errors::Error::DockerResponseServerError { status_code: 404, .. },
                ..
            }) => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// Events for labelled containers from `since` on (replaying the moments
    /// before a list, so nothing between the list and the subscription is lost).
    /// The stream ends with an error when the connection does.
    pub fn events(&self, since: Timestamp) -> impl Stream<Item = Result<ContainerEvent, DockerError>> + use<> {
        let options = EventsOptions {
            since: Some(since.as_second().to_string()),
            until: None,
            filters: Some(HashMap::from([
                ("type".to_owned(), vec!["container".to_owned()]),
                ("label".to_owned(), self.selection.label_filters()),
                ("event".to_owned(), WATCHED_ACTIONS.iter().map(|a| (*a).to_owned()).collect()),
            ])),
        };
        self.docker
            .events(Some(options))
            .filter_map(|message| async move {
                match message {
                    Err(source) => Some(Err(DockerError::Api { call: "events", source })),
                    Ok(m) if m.typ != Some(EventMessageTypeEnum::CONTAINER) => None,
                    Ok(m) => {
                        let id = m.actor.and_then(|a| a.id)?;
                        let action = m.action.unwrap_or_default();
                        Some(Ok(ContainerEvent { id, action }))
                    }
                }
            })
            .chain(stream::once(async { Err(DockerError::StreamEnded) }))
    }

    fn replica(&self, details: ContainerInspectResponse) -> Option<Replica> {
        let config = details.config.unwrap_or_default();
        let labels = config.labels.unwrap_or_default();
        let app_name = self.selection.app_name(&labels)?.clone();
        let state = details.state.unwrap_or_default();
        let status = match state.status {
            Some(ContainerStateStatusEnum::RUNNING | ContainerStateStatusEnum::STOPPING) => ContainerState::Running,
            Some(ContainerStateStatusEnum::PAUSED) => ContainerState::Paused,
            Some(ContainerStateStatusEnum::RESTARTING) => ContainerState::Restarting,
            Some(ContainerStateStatusEnum::REMOVING) => ContainerState::Removing,
            Some(ContainerStateStatusEnum::EXITED) => ContainerState::Exited,
            Some(ContainerStateStatusEnum::DEAD) => ContainerState::Dead,
            Some(ContainerStateStatusEnum::CREATED | ContainerStateStatusEnum::EMPTY) | None => ContainerState::Created,
        };
        let health = match state.health.and_then(|h| h.status) {
            Some(HealthStatusEnum::STARTING) => Health::Starting,
            Some(HealthStatusEnum::HEALTHY) => Health::Healthy,
            Some(HealthStatusEnum::UNHEALTHY) => Health::Unhealthy,
            Some(HealthStatusEnum::NONE | HealthStatusEnum::EMPTY) | None => Health::None,
        };
        let exited = matches!(status, ContainerState::Exited | ContainerState::Dead);
        Some(Replica {
            id: details.id?,
            name: details.name.unwrap_or_default().trim_start_matches('/').to_owned(),
            app_name,
            image: config.image.unwrap_or_default(),
            state: status,
            health,
            started_at: docker_time(state.started_at.as_deref()),
            finished_at: docker_time(state.finished_at.as_deref()),
            restart_count: details.restart_count.unwrap_or(0),
            exit_code: if exited { state.exit_code } else { None },
            oom_killed: state.oom_killed.unwrap_or(false),
            labels: self
                .selection
                .shown_labels
                .iter()
                .filter_map(|key| labels.get(key).map(|v| (key.clone(), v.clone())))
                .collect(),
        })
    }
}

/// Docker writes `0001-01-01T00:00:00Z` for "never".
fn docker_time(text: Option<&str>) -> Option<Timestamp> {
    let ts: Timestamp = text?.parse().ok()?;
    (ts.as_second() > 0).then_some(ts)
}

async fn bounded<T>(
    call: &'static str,
    timeout: Duration,
    request: impl Future<Output = Result<T, bollard::errors::Error>>,
) -> Result<T, DockerError> {
    match tokio::time::timeout(timeout, request).await {
        Ok(Ok(value)) => Ok(value),
        Ok(Err(source)) => Err(DockerError::Api { call, source }),
        Err(_) => Err(DockerError::Timeout { call, timeout }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn never_is_none() {
        assert_eq!(docker_time(Some("0001-01-01T00:00:00Z")), None);
        assert_eq!(docker_time(None), None);
        assert_eq!(docker_time(Some("garbage")), None);
        let t = docker_time(Some("2026-11-25T17:36:01.123456789Z")).unwrap();
        assert_eq!(t.as_second(), 1_795_628_161);
    }
}
