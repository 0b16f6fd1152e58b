//! Keeps [`StatusState`] current: one full list, then the Docker event stream,
//! with a periodic full resync to repair anything missed.
//!
//! When the daemon goes away (socket gone, stream cut, a call timing out) the
//! view is kept and flagged stale, and the watcher reconnects with exponential
//! backoff (via `backon`), resyncing as soon as it is back. Nothing here can
//! crash the service or block a request: requests only read the state.

use std::{sync::Arc, time::Duration};

use backon::{Backoff, BackoffBuilder, ExponentialBuilder, Retryable};
use futures_util::{Stream, StreamExt};
use jiff::{SignedDuration, Timestamp};

use crate::{
    docker::{ContainerEvent, DockerClient, DockerError},
    metrics::StatusMetrics,
    model::Selection,
    state::StatusState,
};

/// How far back the event subscription starts before each full list. Events in
/// that window are replayed, which is harmless (applying one re-inspects the
/// container) and covers a clock skew between us and the daemon.
const REPLAY_WINDOW: SignedDuration = SignedDuration::from_secs(5);

#[derive(Debug, Clone)]
pub struct WatchSettings {
    pub docker_host: String,
    pub selection: Selection,
    pub docker_timeout: Duration,
    pub resync_interval: Duration,
    /// First and longest pause between reconnection attempts.
    pub backoff_min: Duration,
    pub backoff_max: Duration,
}

/// Pauses between reconnection attempts: exponential from `min`, with jitter,
/// and never longer than `max`, jitter included. backon adds up to one delay
/// of jitter on top of the capped delay, so the delay is capped at half of
/// `max` (pauses at the cap fall between `max / 2` and `max`).
fn reconnect_pauses(min: Duration, max: Duration) -> impl Backoff {
    ExponentialBuilder::default()
        .with_min_delay(min)
        .with_max_delay(max / 2)
        .with_jitter()
        .without_max_times()
        .build()
        .map(move |pause| pause.min(max))
}

/// Runs forever (until the runtime stops).
pub async fn run(settings: WatchSettings, state: Arc<StatusState>, metrics: StatusMetrics) {
    let mut first = true;
    loop {
        let session = (|| Session::establish(&settings, &state, &metrics))
            .retry(reconnect_pauses(settings.backoff_min, settings.backoff_max))
            .notify(|error, pause| {
                metrics.connect_failures.inc();
                state.disconnected(&error.to_string());
                log::warn!("Docker unavailable ({error}); retrying in {pause:?}");
            })
            .await;
        let Ok(session) = session else { continue };
        if first {
            log::info!("connected to Docker; watching containers labelled {:?}", settings.selection.label_filters());
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
        let client = DockerClient::connect(&settings.docker_host, &settings.selection, settings.docker_timeout).await?;
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
    let listing = client.list().await?;
    metrics.resyncs.inc();
    state.replace_all(listing.replicas, &listing.unread, Timestamp::now());
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reconnect_pauses_grow_from_the_minimum_and_never_pass_the_cap_jitter_included() {
        let (min, max) = (Duration::from_millis(100), Duration::from_secs(2));
        for _ in 0..200 {
            let pauses: Vec<Duration> = reconnect_pauses(min, max).take(12).collect();
            assert!(pauses[0] >= min && pauses[0] < 2 * min, "first pause {:?}", pauses[0]);
            assert!(pauses.iter().all(|p| *p <= max), "{pauses:?}");
            assert!(pauses[11] >= max / 2, "grows to the cap: {pauses:?}");
        }
    }
}
