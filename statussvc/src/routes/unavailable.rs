//! `/unavailable/{appName}`: the gateway's answer when no replica can serve.
//!
//! Traefik routes here when an app has no routable container (its fallback
//! router, 503) or when its load balancer could not get an answer (its `errors`
//! middleware, which passes the status it saw: 502, 503 or 504). Always
//! `application/problem+json` with `Retry-After`, and a `detail` that says how
//! many replicas are known and in what state.

use std::time::Duration;

use actix_web::{
    HttpResponse, guard,
    http::{StatusCode, header},
    web,
};
use serde::{Deserialize, Serialize};
use service_kit::problem::{self, Problem, excerpt};
use utoipa::{IntoParams, ToSchema};

use crate::{
    error::ApiError,
    model::{ContainerState, Health, Replica, Summary},
    state::{Snapshot, StatusState},
};

/// The methods answered with the 503; others (TRACE, OPTIONS, CONNECT) are 405.
pub const ALLOWED_METHODS: &str = "GET, HEAD, POST, PUT, PATCH, DELETE";

pub fn methods() -> guard::AnyGuard {
    guard::Any(guard::Get()).or(guard::Head()).or(guard::Post()).or(guard::Put()).or(guard::Patch()).or(guard::Delete())
}

/// What the gateway shows when no replica of an app can serve (503, or the 502
/// or 504 it saw): a problem with the app's name and the counts behind it.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(example = json!({
    "type": "urn:statussvc:problem:no-replica-available",
    "title": "No replica available",
    "status": 503,
    "detail": "No storagesvc replica can serve right now: 3 known, 0 running. Retry after 5 s.",
    "appName": "storagesvc",
    "replicas": {"total": 3, "running": 0, "healthy": 0}
}))]
pub struct NoReplicaProblem {
    #[serde(flatten)]
    #[schema(inline)]
    pub problem: Problem,
    /// The app that has no replica to serve.
    pub app_name: String,
    /// Its replicas as Docker last reported them.
    pub replicas: Summary,
}

/// `RETRY_AFTER_SECS`, as app data.
#[derive(Debug, Clone, Copy)]
pub struct RetryAfter(pub Duration);

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct GatewayStatus {
    /// The status the gateway saw (502, 503 or 504); this response carries it.
    /// Default 503.
    #[param(minimum = 502, maximum = 504)]
    pub status: Option<u16>,
}

/// No replica of `appName` can serve: 503 (or the gateway's 502/504) with what
/// Docker says about them.
#[utoipa::path(
    method(get, head, post, put, patch, delete), path = "/unavailable/{appName}", tag = "gateway",
    params(("appName" = String, Path, description = "The app without a serving replica, e.g. `storagesvc`"),
        GatewayStatus),
    responses(
        (status = 400, description = "`status` is not 502, 503 or 504", body = Problem,
            content_type = "application/problem+json"),
        (status = 502, description = "The gateway could not connect to any replica",
            body = NoReplicaProblem, content_type = "application/problem+json",
            headers(("Retry-After" = String, description = "Seconds to wait before retrying"))),
        (status = 503, description = "No replica can serve; retry after `Retry-After` seconds",
            body = NoReplicaProblem, content_type = "application/problem+json",
            headers(("Retry-After" = String, description = "Seconds to wait before retrying"))),
        (status = 504, description = "No replica answered in time",
            body = NoReplicaProblem, content_type = "application/problem+json",
            headers(("Retry-After" = String, description = "Seconds to wait before retrying"))),
    )
)]
pub async fn unavailable(
    app_name: web::Path<String>,
    query: web::Query<GatewayStatus>,
    state: web::Data<StatusState>,
    retry_after: web::Data<RetryAfter>,
) -> Result<HttpResponse, ApiError> {
    let status = match query.status {
        None | Some(503) => StatusCode::SERVICE_UNAVAILABLE,
        Some(502) => StatusCode::BAD_GATEWAY,
        Some(504) => StatusCode::GATEWAY_TIMEOUT,
        Some(_) => return Err(ApiError::InvalidParameter { name: "status", reason: "must be 502, 503 or 504" }),
    };
    let app_name = excerpt(&app_name);
    let body = no_replica(&app_name, &state.snapshot(), retry_after.0, status);
    Ok(problem::respond(status).insert_header((header::RETRY_AFTER, retry_after.0.as_secs().to_string())).json(body))
}

fn no_replica(app_name: &str, snapshot: &Snapshot, retry_after: Duration, status: StatusCode) -> NoReplicaProblem {
    let replicas: Vec<&Replica> = snapshot.replicas.iter().filter(|r| r.app_name == app_name).collect();
    let summary = Summary::of(replicas.iter().copied());
    let verdict = match status {
        StatusCode::BAD_GATEWAY => format!("The gateway could not connect to a {app_name} replica"),
        StatusCode::GATEWAY_TIMEOUT => format!("No {app_name} replica answered the gateway in time"),
        _ => format!("No {app_name} replica can serve right now"),
    };
    let mut detail = if replicas.is_empty() {
        format!("{verdict}: none exists (scaled to 0?).")
    } else {
        format!("{verdict}: {} known, {}.", replicas.len(), breakdown(&replicas))
    };
    if !snapshot.docker.connected {
        detail.push_str(" (Docker is unreachable; this is the last known state.)");
    }
    detail.push_str(&format!(" Retry after {} s.", retry_after.as_secs()));
    NoReplicaProblem {
        problem: Problem::new(status, "urn:statussvc:problem:no-replica-available", "No replica available", detail),
        app_name: app_name.to_owned(),
        replicas: summary,
    }
}

/// "2 exited, 1 running but unhealthy".
fn breakdown(replicas: &[&Replica]) -> String {
    let mut parts: Vec<(String, usize)> = Vec::new();
    for r in replicas {
        let label = match (r.state, r.health) {
            (ContainerState::Running, Health::Unhealthy) => "running but unhealthy".to_owned(),
            (ContainerState::Running, Health::Starting) => "starting".to_owned(),
            (ContainerState::Running, _) => "running".to_owned(),
            (state, _) => {
                serde_json::to_value(state).ok().and_then(|v| v.as_str().map(str::to_owned)).unwrap_or_default()
            }
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

        let answer = no_replica("storagesvc", &snapshot, Duration::from_secs(5), StatusCode::SERVICE_UNAVAILABLE);

        let (detail, replicas) = (answer.problem.detail, answer.replicas);
        assert!(detail.contains("3 known, 2 exited, 1 running but unhealthy"), "{detail}");
        assert!(detail.contains("Docker is unreachable"), "default snapshot is disconnected: {detail}");
        assert_eq!((replicas.total, replicas.running, replicas.healthy), (3, 1, 0));
    }

    #[test]
    fn detail_says_when_none_exists() {
        let answer =
            no_replica("storagesvc", &Snapshot::default(), Duration::from_secs(5), StatusCode::SERVICE_UNAVAILABLE);
        assert!(answer.problem.detail.contains("none exists"), "{}", answer.problem.detail);
    }
}
