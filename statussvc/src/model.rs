//! What we know about one labelled container, in our own types: the domain.
//!
//! `docker.rs` maps bollard's models into these; nothing else sees bollard. The
//! type has no field for a container's environment, mounts or command, so they
//! cannot leak into a response: environment variables hold secrets.
//!
//! The one rule for "healthy" is [`Replica::is_healthy`]; the counts shown in
//! `/status`, the no-replica answer and the gauges all come from [`Summary`].
//! This module imports nothing else from the crate.

use std::collections::{BTreeMap, HashMap};

use jiff::Timestamp;
use serde::Serialize;
use utoipa::ToSchema;

/// Which containers are replicas, and which of their labels may be shown.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Selection {
    /// `STATUS_LABEL`: the label whose value is the app name.
    pub app_label: String,
    /// `STATUS_SCOPE`: `key=value` a container must also carry (its compose
    /// project, its swarm stack), so one assembly never reports another's.
    /// `None`: every labelled container on the daemon.
    pub scope: Option<(String, String)>,
    /// `STATUS_LABEL_ALLOWLIST`: the only labels `/status` shows.
    pub shown_labels: Vec<String>,
}

impl Selection {
    /// Docker `label` filters that select exactly these containers (Docker
    /// ANDs them).
    pub fn label_filters(&self) -> Vec<String> {
        let mut filters = vec![self.app_label.clone()];
        filters.extend(self.scope.iter().map(|(key, value)| format!("{key}={value}")));
        filters
    }

    /// The app name of a container with these labels, if it is selected.
    pub fn app_name<'a>(&self, labels: &'a HashMap<String, String>) -> Option<&'a String> {
        let in_scope = self.scope.as_ref().is_none_or(|(key, value)| labels.get(key) == Some(value));
        in_scope.then(|| labels.get(&self.app_label)).flatten()
    }
}

/// The container's lifecycle state, as Docker names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum ContainerState {
    Created,
    Running,
    Paused,
    Restarting,
    Removing,
    Exited,
    Dead,
}

/// The container's Docker `HEALTHCHECK` verdict; `none` without a health check.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Health {
    None,
    Starting,
    Healthy,
    Unhealthy,
}

/// One labelled container as last seen by Docker.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Replica {
    /// Full 64-hex-digit container id.
    pub id: String,
    /// Container name without Docker's leading `/`.
    pub name: String,
    /// Value of the app label (`STATUS_LABEL`).
    pub app_name: String,
    /// Image reference the container was created from.
    pub image: String,
    pub state: ContainerState,
    pub health: Health,
    /// `None` if it never started.
    pub started_at: Option<Timestamp>,
    /// `None` if it never stopped.
    pub finished_at: Option<Timestamp>,
    pub restart_count: i64,
    /// Exit status; only meaningful once it exited (`None` otherwise).
    pub exit_code: Option<i64>,
    pub oom_killed: bool,
    /// Allow-listed labels only (`STATUS_LABEL_ALLOWLIST`).
    pub labels: BTreeMap<String, String>,
}

impl Replica {
    pub fn short_id(&self) -> &str {
        &self.id[..self.id.len().min(12)]
    }

    pub fn is_running(&self) -> bool {
        self.state == ContainerState::Running
    }

    /// Running with a passing health check.
    pub fn is_healthy(&self) -> bool {
        self.is_running() && self.health == Health::Healthy
    }

    /// Stable order for listings: by app, then name, then id.
    pub fn sort_key(&self) -> (&str, &str, &str) {
        (&self.app_name, &self.name, &self.id)
    }

    /// Whether `reference` names this replica: full id, a unique id prefix of at
    /// least 12 digits (the short id), or the container name.
    pub fn is_named_by(&self, reference: &str) -> bool {
        let reference = reference.strip_prefix('/').unwrap_or(reference);
        self.name == reference || (reference.len() >= 12 && self.id.starts_with(reference))
    }

    /// Seconds since it started, while it runs.
    pub fn uptime_seconds(&self, now: Timestamp) -> Option<i64> {
        match (self.state, self.started_at) {
            (ContainerState::Running | ContainerState::Paused, Some(started)) => {
                Some(now.duration_since(started).as_secs().max(0))
            }
            _ => None,
        }
    }
}

/// Counts over a set of replicas.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
pub struct Summary {
    pub total: usize,
    pub running: usize,
    /// Running with a passing health check.
    pub healthy: usize,
}

impl Summary {
    pub fn of<'a>(replicas: impl IntoIterator<Item = &'a Replica>) -> Self {
        replicas.into_iter().fold(Self::default(), |mut s, r| {
            s.total += 1;
            s.running += usize::from(r.is_running());
            s.healthy += usize::from(r.is_healthy());
            s
        })
    }

    /// One summary per app, by app name.
    pub fn by_app<'a>(replicas: impl IntoIterator<Item = &'a Replica>) -> BTreeMap<&'a str, Self> {
        let mut apps: BTreeMap<&str, Vec<&Replica>> = BTreeMap::new();
        for r in replicas {
            apps.entry(r.app_name.as_str()).or_default().push(r);
        }
        apps.into_iter().map(|(app, replicas)| (app, Self::of(replicas))).collect()
    }
}

#[cfg(test)]
pub(crate) mod fixtures {
    use super::*;

    /// A running replica named `name` of `app`, for unit tests.
    pub fn replica(app: &str, name: &str) -> Replica {
        let id = format!("{:0>64}", name.bytes().map(|b| format!("{b:02x}")).collect::<String>());
        Replica {
            id: id[id.len() - 64..].to_owned(),
            name: name.to_owned(),
            app_name: app.to_owned(),
            image: "example:1".into(),
            state: ContainerState::Running,
            health: Health::Healthy,
            started_at: Some("2026-01-01T00:00:00Z".parse().unwrap()),
            finished_at: None,
            restart_count: 0,
            exit_code: None,
            oom_killed: false,
            labels: BTreeMap::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{fixtures::replica, *};

    #[test]
    fn named_by_full_id_short_id_or_name() {
        let r = replica("app", "web-1");
        assert!(r.is_named_by(&r.id.clone()));
        assert!(r.is_named_by(r.short_id()));
        assert!(r.is_named_by("web-1"));
        assert!(r.is_named_by("/web-1"));
        assert!(!r.is_named_by(&r.id[..6]), "prefixes shorter than 12 are ambiguous");
        assert!(!r.is_named_by("web"));
    }

    #[test]
    fn uptime_only_while_running() {
        let mut r = replica("app", "a");
        let now: Timestamp = "2026-01-01T00:01:40Z".parse().unwrap();
        assert_eq!(r.uptime_seconds(now), Some(100));
        r.state = ContainerState::Exited;
        assert_eq!(r.uptime_seconds(now), None);
    }

    #[test]
    fn healthy_means_running_with_a_passing_check() {
        let mut r = replica("app", "a");
        assert!(r.is_healthy());
        r.health = Health::Unhealthy;
        assert!(!r.is_healthy());
        r.health = Health::None;
        assert!(!r.is_healthy(), "no health check is not a passing one");
        r.health = Health::Healthy;
        r.state = ContainerState::Paused;
        assert!(!r.is_healthy());
    }

    #[test]
    fn summaries_count_per_app() {
        let mut down = replica("a", "a-2");
        down.state = ContainerState::Exited;
        let mut sick = replica("b", "b-1");
        sick.health = Health::Unhealthy;
        let replicas = [replica("a", "a-1"), down, sick];
        let apps = Summary::by_app(&replicas);
        assert_eq!(apps["a"], Summary { total: 2, running: 1, healthy: 1 });
        assert_eq!(apps["b"], Summary { total: 1, running: 1, healthy: 0 });
        assert_eq!(Summary::of(&replicas), Summary { total: 3, running: 2, healthy: 1 });
    }
}
