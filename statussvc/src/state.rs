//! The in-memory view of the assembly, kept current by the watcher and read by
//! every request. Requests never call Docker; they read the latest [`Snapshot`].
//!
//! Each mutation builds a new immutable snapshot and publishes a [`Change`] for
//! each difference, so `/status/stream` subscribers see every change, and a full
//! resync that finds nothing new publishes nothing.

use std::{
    collections::HashSet,
    sync::{Arc, Mutex, RwLock},
};

use jiff::Timestamp;
use tokio::sync::broadcast;

use crate::{
    metrics::StatusMetrics,
    model::{Replica, Summary},
};

/// How many changes a slow `/status/stream` client may fall behind before it is
/// sent a fresh snapshot instead.
const CHANGE_BUFFER: usize = 256;

/// Whether we are in touch with the daemon, and since when our view dates.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct DockerLink {
    pub connected: bool,
    /// Completion time of the last successful full list.
    pub last_sync_at: Option<Timestamp>,
    /// Why the link is down, while it is.
    pub last_error: Option<String>,
}

/// One immutable view of the assembly.
#[derive(Debug, Clone, Default)]
pub struct Snapshot {
    /// Bumped by every change; lets readers cache what they derive from it.
    pub version: u64,
    /// Sorted by [`Replica::sort_key`].
    pub replicas: Vec<Replica>,
    pub docker: DockerLink,
}

impl Snapshot {
    /// Ready once a full list has succeeded and the link is up.
    pub fn is_ready(&self) -> bool {
        self.docker.connected && self.docker.last_sync_at.is_some()
    }
}

/// What changed, as published to stream subscribers.
#[derive(Debug, Clone)]
pub enum Change {
    /// A container appeared or changed state.
    Updated(Replica),
    /// A container was removed.
    Removed(Replica),
    /// The Docker link went up or down.
    Docker(DockerLink),
}

#[derive(Debug, Clone)]
pub struct Published {
    pub version: u64,
    pub change: Change,
}

pub struct StatusState {
    /// The current snapshot. Readers clone the `Arc` under a read lock held for
    /// nanoseconds; a std lock (not tokio's) because it is never held across an
    /// `.await`.
    current: RwLock<Arc<Snapshot>>,
    /// Serialises writers and subscribers, so a subscriber's snapshot and its
    /// first received change are contiguous: no change is missed or seen twice.
    writer: Mutex<()>,
    changes: broadcast::Sender<Published>,
    metrics: StatusMetrics,
}

impl StatusState {
    pub fn new(metrics: StatusMetrics) -> Self {
        let (changes, _) = broadcast::channel(CHANGE_BUFFER);
        Self { current: RwLock::default(), writer: Mutex::new(()), changes, metrics }
    }

    pub fn snapshot(&self) -> Arc<Snapshot> {
        self.current.read().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// The current snapshot and a receiver for every change after it.
    pub fn subscribe(&self) -> (Arc<Snapshot>, broadcast::Receiver<Published>) {
        let _writer = self.writer.lock().unwrap_or_else(|e| e.into_inner());
        (self.snapshot(), self.changes.subscribe())
    }

    /// A full list succeeded: replace the view, publishing only the differences.
    /// Containers listed but not read (`unread` ids) keep their last known state.
    pub fn replace_all(&self, mut replicas: Vec<Replica>, unread: &[String], at: Timestamp) {
        self.mutate(|snapshot, changes| {
            let kept = snapshot.replicas.iter().filter(|old| unread.contains(&old.id)).cloned();
            replicas.extend(kept.collect::<Vec<_>>());
            replicas.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
            let fresh: HashSet<&str> = replicas.iter().map(|r| r.id.as_str()).collect();
            for old in &snapshot.replicas {
                if !fresh.contains(old.id.as_str()) {
                    changes.push(Change::Removed(old.clone()));
                }
            }
            for new in &replicas {
                if snapshot.replicas.iter().find(|old| old.id == new.id) != Some(new) {
                    changes.push(Change::Updated(new.clone()));
                }
            }
            snapshot.replicas = replicas;
            let link = DockerLink { connected: true, last_sync_at: Some(at), last_error: None };
            if snapshot.docker.connected != link.connected || snapshot.docker.last_error.is_some() {
                changes.push(Change::Docker(link.clone()));
            }
            snapshot.docker = link;
        });
    }

    /// One container was (re)inspected.
    pub fn upsert(&self, replica: Replica) {
        self.mutate(|snapshot, changes| {
            match snapshot.replicas.iter_mut().find(|r| r.id == replica.id) {
                Some(existing) if *existing == replica => return,
                Some(existing) => *existing = replica.clone(),
                None => {
                    let at = snapshot.replicas.partition_point(|r| r.sort_key() < replica.sort_key());
                    snapshot.replicas.insert(at, replica.clone());
                }
            }
            changes.push(Change::Updated(replica));
        });
    }

    /// A container is gone.
    pub fn remove(&self, id: &str) {
        self.mutate(|snapshot, changes| {
            if let Some(at) = snapshot.replicas.iter().position(|r| r.id == id) {
                changes.push(Change::Removed(snapshot.replicas.remove(at)));
            }
        });
    }

    /// The daemon is unreachable: keep the last view, flag it stale.
    pub fn disconnected(&self, error: &str) {
        self.mutate(|snapshot, changes| {
            let link = DockerLink {
                connected: false,
                last_sync_at: snapshot.docker.last_sync_at,
                last_error: Some(error.to_owned()),
            };
            if snapshot.docker.connected || snapshot.docker.last_error.as_deref() != Some(error) {
                changes.push(Change::Docker(link.clone()));
            }
            snapshot.docker = link;
        });
    }

    /// Applies `edit` to a copy of the snapshot; if it recorded changes, swaps the
    /// copy in, bumps the version, publishes the changes and refreshes the gauges.
    fn mutate(&self, edit: impl FnOnce(&mut Snapshot, &mut Vec<Change>)) {
        let _writer = self.writer.lock().unwrap_or_else(|e| e.into_inner());
        let current = self.snapshot();
        let mut next = Snapshot::clone(&current);
        let mut changes = Vec::new();
        edit(&mut next, &mut changes);
        // A resync that found nothing new still moves `lastSyncAt`, which is shown.
        if changes.is_empty() && next.docker == current.docker {
            return;
        }
        next.version += 1;
        let version = next.version;
        self.metrics.observe(&Summary::by_app(&next.replicas), next.docker.connected);
        *self.current.write().unwrap_or_else(|e| e.into_inner()) = Arc::new(next);
        for change in changes {
            // No subscribers is fine: nobody is streaming right now.
            let _ = self.changes.send(Published { version, change });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{ContainerState, fixtures::replica};

    fn state() -> StatusState {
        StatusState::new(StatusMetrics::register(&prometheus::Registry::new()).unwrap())
    }

    fn now() -> Timestamp {
        Timestamp::now()
    }

    impl StatusState {
        fn replace_all_read(&self, replicas: Vec<Replica>, at: Timestamp) {
            self.replace_all(replicas, &[], at);
        }
    }

    #[test]
    fn an_unread_container_keeps_its_last_known_state() {
        let s = state();
        let mut stopped = replica("a", "a-2");
        stopped.state = ContainerState::Exited;
        s.replace_all_read(vec![replica("a", "a-1"), stopped.clone()], now());
        let (_, mut rx) = s.subscribe();

        s.replace_all(vec![replica("a", "a-1")], std::slice::from_ref(&stopped.id), now());

        let names: Vec<_> = s.snapshot().replicas.iter().map(|r| (r.name.clone(), r.state)).collect();
        assert_eq!(names, [("a-1".to_owned(), ContainerState::Running), ("a-2".to_owned(), ContainerState::Exited)]);
        assert!(rx.try_recv().is_err(), "nothing changed, nothing published");
    }

    #[test]
    fn starts_empty_and_not_ready() {
        let s = state();
        assert!(s.snapshot().replicas.is_empty());
        assert!(!s.snapshot().is_ready());
    }

    #[test]
    fn replace_all_sorts_and_marks_ready() {
        let s = state();
        s.replace_all_read(vec![replica("b", "b-1"), replica("a", "a-2"), replica("a", "a-1")], now());
        let names: Vec<_> = s.snapshot().replicas.iter().map(|r| r.name.clone()).collect();
        assert_eq!(names, ["a-1", "a-2", "b-1"]);
        assert!(s.snapshot().is_ready());
    }

    #[test]
    fn subscribers_see_only_differences() {
        let s = state();
        s.replace_all_read(vec![replica("a", "a-1"), replica("a", "a-2")], now());
        let (_, mut rx) = s.subscribe();

        let mut stopped = replica("a", "a-2");
        stopped.state = ContainerState::Exited;
        s.replace_all_read(vec![replica("a", "a-1"), stopped, replica("a", "a-3")], now());
        s.upsert(replica("a", "a-3")); // no change: nothing published
        s.remove("not-there");
        s.remove(&replica("a", "a-1").id);

        let mut seen = Vec::new();
        while let Ok(p) = rx.try_recv() {
            seen.push(match p.change {
                Change::Updated(r) => format!("updated {} {:?}", r.name, r.state),
                Change::Removed(r) => format!("removed {}", r.name),
                Change::Docker(l) => format!("docker {}", l.connected),
            });
        }
        assert_eq!(seen, ["updated a-2 Exited", "updated a-3 Running", "removed a-1"]);
    }

    #[test]
    fn disconnect_keeps_the_view_and_flags_it() {
        let s = state();
        let at = now();
        s.replace_all_read(vec![replica("a", "a-1")], at);
        let (_, mut rx) = s.subscribe();

        s.disconnected("socket gone");

        let snap = s.snapshot();
        assert_eq!(snap.replicas.len(), 1, "last known view kept");
        assert!(!snap.docker.connected);
        assert_eq!(snap.docker.last_sync_at, Some(at));
        assert!(!snap.is_ready());
        assert!(matches!(rx.try_recv().unwrap().change, Change::Docker(DockerLink { connected: false, .. })));

        s.replace_all_read(vec![replica("a", "a-1")], now());
        assert!(s.snapshot().is_ready());
        assert!(matches!(rx.try_recv().unwrap().change, Change::Docker(DockerLink { connected: true, .. })));
    }

    #[test]
    fn versions_increase_with_changes() {
        let s = state();
        let v0 = s.snapshot().version;
        s.upsert(replica("a", "a-1"));
        let v1 = s.snapshot().version;
        s.upsert(replica("a", "a-1"));
        assert!(v1 > v0);
        assert_eq!(s.snapshot().version, v1, "an identical upsert changes nothing");
    }
}
