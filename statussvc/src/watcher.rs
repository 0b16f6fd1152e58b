//! Keeps [`StatusState`] current: one full list, then the Docker event stream,
//! with a periodic full resync to repair anything missed.
//!
//! When the daemon goes away (socket gone, stream cut, a call timing out) the
//! view is kept and flagged stale, and the watcher reconnects with exponential
//! backoff (via `backon`), resyncing as soon as it is back. Nothing here can
//! crash the service or block a request: requests only read the state.

use std::{sync::Arc, time::Duration};

use backon::{ExponentialBuilder, Retryable};
use futures_util::{Stream, StreamExt};
use jiff::{SignedDuration, Timestamp};

use crate::{
    docker::{ContainerEvent, DockerClient, DockerError},
    metrics::StatusMetrics,
    state::StatusState,
};

/// How far back the event subscription starts before each full list. Events in
/// that window are replayed, which is harmless (applying one re-inspects the
/// container) and covers a clock skew between us and the daemon.
const REPLAY_WINDOW: SignedDuration = SignedDuration::from_secs(5);

#[derive(Debug, Clone)]
pub struct WatchSettings {
    pub docker_host: String,
    pub label_key: String,
    pub label_allowlist: Vec<String>,
    pub docker_timeout: Duration,
    pub resync_interval: Duration,
    /// First and longest pause between reconnection attempts.
    pub backoff_min: Duration,
    pub backoff_max: Duration,
}

/// Runs forever (until the runtime stops).
pub async fn run(settings: WatchSettings, state: Arc<StatusState>, metrics: StatusMetrics) {
    let backoff = ExponentialBuilder::default()
        .with_min_delay(settings.backoff_min)
        .with_max_delay(settings.backoff_max)
        .with_jitter()
        .without_max_times();
    let mut first = true;
    loop {
        let session = (|| Session::establish(&settings, &state, &metrics))
            .retry(backoff)
            .notify(|error, pause| {
                metrics.connect_failures.inc();
                state.disconnected(&error.to_string());
                log::warn!("Docker unavailable ({error}); retrying in {pause:?}");
            })
            .await;
        let Ok(session) = session else { continue };
        if first {
            log::info!("connected to Docker; watching containers labelled `{}`", settings.label_key);
        } else {
            metrics.reconnects.inc();
            log::info!("reconnected to Docker and resynced");
        }
        first = false;
        let error = session.follow(&settings, &state, &metrics).await;
        log::warn!("lost Docker ({error}); serving the last known view as stale");
        state.disconnected(&error.to_string());
    }
}

/// A live connection: the client and its event stream, after a full list.
struct Session {
    client: DockerClient,
    events: std::pin::Pin<Box<dyn Stream<Item = Result<ContainerEvent, DockerError>> + Send>>,
}

impl Session {
    async fn establish(
        settings: &WatchSettings,
        state: &StatusState,
        metrics: &StatusMetrics,
    ) -> Result<Self, DockerError> {
        let client = DockerClient::connect(
            &settings.docker_host,
            &settings.label_key,
            &settings.label_allowlist,
            settings.docker_timeout,
        )
        .await?;
        // Subscribe from before the list, so an event during the list is not lost.
        let events = Box::pin(client.events(Timestamp::now() - REPLAY_WINDOW));
        resync(&client, state, metrics).await?;
        Ok(Self { client, events })
    }

    /// Applies events and periodic resyncs until something fails.
    async fn follow(mut self, settings: &WatchSettings, state: &StatusState, metrics: &StatusMetrics) -> DockerError {
        let mut resync_timer = tokio::time::interval(settings.resync_interval);
        resync_timer.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        resync_timer.tick().await; // the first tick is immediate; we just synced
        loop {
            let outcome = tokio::select! {
                event = self.events.next() => match event {
                    Some(Ok(event)) => {
                        metrics.events.inc();
                        apply(&self.client, state, &event).await
                    }
                    Some(Err(e)) => Err(e),
                    None => Err(DockerError::StreamEnded),
                },
                _ = resync_timer.tick() => resync(&self.client, state, metrics).await,
            };
            if let Err(error) = outcome {
                return error;
            }
        }
    }
}

async fn resync(client: &DockerClient, state: &StatusState, metrics: &StatusMetrics) -> Result<(), DockerError> {
    let replicas = client.list().await?;
    metrics.resyncs.inc();
    state.replace_all(replicas, Timestamp::now());
    Ok(())
}

async fn apply(client: &DockerClient, state: &StatusState, event: &ContainerEvent) -> Result<(), DockerError> {
    log::debug!("container {} {}", &event.id[..event.id.len().min(12)], event.action);
    if event.is_destroy() {
        state.remove(&event.id);
        return Ok(());
    }
    match client.inspect(&event.id).await? {
        Some(replica) => state.upsert(replica),
        None => state.remove(&event.id),
    }
    Ok(())
}
