//! The API's view of a [`Snapshot`]: what `/status` and `/status/stream` show,
//! and the `appName`/`id` filter they share.

use std::collections::BTreeMap;

use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::{
    error::ApiError,
    model::{ContainerState, Health, Replica, Summary},
    state::{DockerLink, Snapshot},
};

/// Whether the view is live, and how old it is.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct DockerStatus {
    /// `false` means the daemon is unreachable and this is the last known view.
    pub connected: bool,
    /// When the last full list of containers completed (RFC 3339).
    #[schema(value_type = Option<String>, format = DateTime)]
    pub last_sync_at: Option<Timestamp>,
    /// Why the daemon is unreachable, while it is.
    pub last_error: Option<String>,
}

impl From<&DockerLink> for DockerStatus {
    fn from(link: &DockerLink) -> Self {
        Self { connected: link.connected, last_sync_at: link.last_sync_at, last_error: link.last_error.clone() }
    }
}

/// One labelled container. Never includes its environment, mounts or command.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(example = json!({
    "id": "3f4e5d6c7b8a", "name": "storage-assembly_storagesvc_1", "appName": "storagesvc",
    "image": "storagesvc:local", "state": "running", "health": "healthy",
    "startedAt": "2026-11-25T17:36:01Z", "finishedAt": null, "uptimeSeconds": 42,
    "restartCount": 0, "exitCode": null, "oomKilled": false,
    "labels": {"com.docker.compose.service": "storagesvc"}
}))]
pub struct ServiceStatus {
    /// Short (12-digit) container id.
    pub id: String,
    /// Container name.
    pub name: String,
    /// Value of the app label.
    pub app_name: String,
    pub image: String,
    pub state: ContainerState,
    pub health: Health,
    #[schema(value_type = Option<String>, format = DateTime)]
    pub started_at: Option<Timestamp>,
    #[schema(value_type = Option<String>, format = DateTime)]
    pub finished_at: Option<Timestamp>,
    /// Seconds since it started, while running or paused.
    pub uptime_seconds: Option<i64>,
    pub restart_count: i64,
    /// Exit status once exited or dead, `null` otherwise.
    pub exit_code: Option<i64>,
    pub oom_killed: bool,
    /// Allow-listed labels only.
    pub labels: BTreeMap<String, String>,
}

impl ServiceStatus {
    pub fn of(replica: &Replica, now: Timestamp) -> Self {
        Self {
            id: replica.short_id().to_owned(),
            name: replica.name.clone(),
            app_name: replica.app_name.clone(),
            image: replica.image.clone(),
            state: replica.state,
            health: replica.health,
            started_at: replica.started_at,
            finished_at: replica.finished_at,
            uptime_seconds: replica.uptime_seconds(now),
            restart_count: replica.restart_count,
            exit_code: replica.exit_code,
            oom_killed: replica.oom_killed,
            labels: replica.labels.clone(),
        }
    }
}

/// Body of `GET /status`, and of each `snapshot` event on `/status/stream`.
#[derive(Debug, Serialize, ToSchema)]
pub struct StatusReport {
    pub docker: DockerStatus,
    pub summary: Summary,
    /// Sorted by app name, then container name.
    pub services: Vec<ServiceStatus>,
}

/// Query parameters shared by `/status` and `/status/stream`.
#[derive(Debug, Default, Clone, PartialEq, Eq, Hash, Deserialize, IntoParams)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct Filter {
    /// Only containers of this app (the app label's value), e.g. `storagesvc`.
    #[param(
        min_length = 1,
        max_length = 256,
        pattern = "^[^\\u0000-\\u001F\\u007F-\\u009F]+$",
        example = "storagesvc"
    )]
    pub app_name: Option<String>,
    /// Only this container: full id, 12-digit short id, or container name.
    #[param(min_length = 1, max_length = 256, pattern = "^[^\\u0000-\\u001F\\u007F-\\u009F]+$")]
    pub id: Option<String>,
}

impl Filter {
    /// Rejects values no container could have: empty, over-long, control characters.
    pub fn validated(self) -> Result<Self, ApiError> {
        for (name, value) in [("appName", &self.app_name), ("id", &self.id)] {
            if let Some(v) = value
                && (v.is_empty() || v.len() > 256 || v.chars().any(char::is_control))
            {
                return Err(ApiError::InvalidParameter {
                    name,
                    reason: "must be 1 to 256 characters without control characters",
                });
            }
        }
        Ok(self)
    }

    pub fn matches(&self, replica: &Replica) -> bool {
        self.app_name.as_ref().is_none_or(|app| &replica.app_name == app)
            && self.id.as_ref().is_none_or(|id| replica.is_named_by(id))
    }

    /// The filtered report; with an `id`, an unknown replica is a 404.
    pub fn report(&self, snapshot: &Snapshot, now: Timestamp) -> Result<StatusReport, ApiError> {
        let selected: Vec<&Replica> = snapshot.replicas.iter().filter(|r| self.matches(r)).collect();
        if let Some(id) = &self.id
            && selected.is_empty()
        {
            return Err(ApiError::unknown_replica(id, self.app_name.as_deref()));
        }
        Ok(StatusReport {
            docker: DockerStatus::from(&snapshot.docker),
            summary: Summary::of(selected.iter().copied()),
            services: selected.into_iter().map(|r| ServiceStatus::of(r, now)).collect(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::fixtures::replica;

    fn snapshot() -> Snapshot {
        let mut down = replica("storagesvc", "s-2");
        down.state = ContainerState::Exited;
        down.exit_code = Some(137);
        let mut sick = replica("storagesvc", "s-3");
        sick.health = Health::Unhealthy;
        Snapshot {
            replicas: vec![replica("statussvc", "a-1"), replica("storagesvc", "s-1"), down, sick],
            ..Default::default()
        }
    }

    #[test]
    fn summary_counts_running_and_healthy() {
        let report = Filter::default().report(&snapshot(), Timestamp::now()).unwrap();
        assert_eq!((report.summary.total, report.summary.running, report.summary.healthy), (4, 3, 2));
    }

    #[test]
    fn filters_by_app_and_id() {
        let snap = snapshot();
        let by_app = Filter { app_name: Some("storagesvc".into()), id: None };
        assert_eq!(by_app.report(&snap, Timestamp::now()).unwrap().services.len(), 3);
        let by_name = Filter { app_name: None, id: Some("s-2".into()) };
        let one = by_name.report(&snap, Timestamp::now()).unwrap();
        assert_eq!(one.services.len(), 1);
        assert_eq!(one.services[0].exit_code, Some(137));
    }

    #[test]
    fn unknown_id_is_an_error_but_unknown_app_is_empty() {
        let snap = snapshot();
        assert!(Filter { app_name: None, id: Some("nope".into()) }.report(&snap, Timestamp::now()).is_err());
        let empty = Filter { app_name: Some("nope".into()), id: None }.report(&snap, Timestamp::now()).unwrap();
        assert_eq!(empty.summary.total, 0);
    }

    #[test]
    fn validation_rejects_empty_and_control_characters() {
        assert!(Filter { app_name: Some(String::new()), id: None }.validated().is_err());
        assert!(Filter { app_name: None, id: Some("a\nb".into()) }.validated().is_err());
        assert!(Filter { app_name: None, id: Some("x".repeat(257)) }.validated().is_err());
        assert!(Filter { app_name: Some("storagesvc".into()), id: Some("abc".into()) }.validated().is_ok());
    }
}
