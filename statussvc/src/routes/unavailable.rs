//! `/unavailable/{appName}`: the gateway's answer when no replica can serve.
//!
//! Traefik routes here when an app has no routable container (its fallback
//! router) or its load balancer has no healthy server (its `errors`
//! middleware). Always 503 `application/problem+json` with `Retry-After`, and a
//! `detail` that says how many replicas are known and in what state.

use std::time::Duration;

use actix_web::{HttpResponse, web};

use crate::{
    error::{ApiError, NoReplicaProblem},
    model::{ContainerState, Health, Replica},
    report::Summary,
    state::{Snapshot, StatusState},
};

/// `RETRY_AFTER_SECS`, as app data.
#[derive(Debug, Clone, Copy)]
pub struct RetryAfter(pub Duration);

/// No replica of `appName` can serve: 503 with what Docker says about them.
#[utoipa::path(
    get, path = "/unavailable/{appName}", tag = "gateway",
    params(("appName" = String, Path, description = "The app without a serving replica, e.g. `storagesvc`")),
    responses(
        (status = 503, description = "Always: no replica can serve; retry after `Retry-After` seconds",
            body = NoReplicaProblem, content_type = "application/problem+json",
            headers(("Retry-After" = String, description = "Seconds to wait before retrying"))),
    )
)]
pub async fn unavailable(
    app_name: web::Path<String>,
    state: web::Data<StatusState>,
    retry_after: web::Data<RetryAfter>,
) -> Result<HttpResponse, ApiError> {
    let app_name = crate::error::excerpt(&app_name);
    Err(no_replica(&app_name, &state.snapshot(), retry_after.0))
}

pub fn no_replica(app_name: &str, snapshot: &Snapshot, retry_after: Duration) -> ApiError {
    let replicas: Vec<&Replica> = snapshot.replicas.iter().filter(|r| r.app_name == app_name).collect();
    let summary = Summary::of(replicas.iter().copied());
    let mut detail = if replicas.is_empty() {
        format!("No {app_name} replica can serve right now: none exists (scaled to 0?).")
    } else {
        format!("No {app_name} replica can serve right now: {} known, {}.", replicas.len(), breakdown(&replicas))
    };
    if !snapshot.docker.connected {
        detail.push_str(" (Docker is unreachable; this is the last known state.)");
    }
    detail.push_str(&format!(" Retry after {} s.", retry_after.as_secs()));
    ApiError::NoReplica { detail, app_name: app_name.to_owned(), replicas: summary, retry_after }
}

/// "2 exited, 1 running but unhealthy".
fn breakdown(replicas: &[&Replica]) -> String {
    let mut parts: Vec<(String, usize)> = Vec::new();
    for r in replicas {
        let label = match (r.state, r.health) {
            (ContainerState::Running, Health::Unhealthy) => "running but unhealthy".to_owned(),
            (ContainerState::Running, Health::Starting) => "starting".to_owned(),
            (ContainerState::Running, _) => "running".to_owned(),
            (state, _) => serde_json::to_value(state)
                .ok()
                .and_then(|v| v.as_str().map(str::to_owned))
                .unwrap_or_default(),
        };
        match parts.iter_mut().find(|(l, _)| *l == label) {
            Some((_, n)) => *n += 1,
            None => parts.push((label, 1)),
        }
    }
    parts.iter().map(|(label, n)| format!("{n} {label}")).collect::<Vec<_>>().join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::fixtures::replica;

    #[test]
    fn detail_counts_replicas_by_state() {
        let mut a = replica("storagesvc", "a");
        a.state = ContainerState::Exited;
        let mut b = replica("storagesvc", "b");
        b.state = ContainerState::Exited;
        let mut c = replica("storagesvc", "c");
        c.health = Health::Unhealthy;
        let snapshot = Snapshot { replicas: vec![a, b, c, replica("other", "x")], ..Default::default() };

        let ApiError::NoReplica { detail, replicas, .. } = no_replica("storagesvc", &snapshot, Duration::from_secs(5))
        else {
            panic!("wrong error")
        };

        assert!(detail.contains("3 known, 2 exited, 1 running but unhealthy"), "{detail}");
        assert!(detail.contains("Docker is unreachable"), "default snapshot is disconnected: {detail}");
        assert_eq!((replicas.total, replicas.running, replicas.healthy), (3, 1, 0));
    }

    #[test]
    fn detail_says_when_none_exists() {
        let ApiError::NoReplica { detail, .. } = no_replica("storagesvc", &Snapshot::default(), Duration::from_secs(5))
        else {
            panic!("wrong error")
        };
        assert!(detail.contains("none exists"), "{detail}");
    }
}
