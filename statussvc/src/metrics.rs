//! Prometheus metrics: HTTP requests by route and status, per-app replica
//! gauges, and counters for the Docker link (events, resyncs, reconnects).
//!
//! The HTTP half mirrors storagesvc's (two services do not yet justify a shared
//! crate): each resource is wrapped with its own static route label, because
//! deriving the label per request (`match_pattern()`) re-runs the router.

use std::{
    collections::{BTreeMap, BTreeSet},
    sync::Mutex,
    time::Instant,
};

use actix_web::{
    Error,
    body::MessageBody,
    dev::{ServiceRequest, ServiceResponse},
    middleware::Next,
    web,
};
use prometheus::{HistogramOpts, HistogramVec, IntCounter, IntCounterVec, IntGauge, IntGaugeVec, Opts, Registry};

use crate::state::Snapshot;

const NAMESPACE: &str = "statussvc";

/// Route label for requests that matched no route (bounded cardinality).
pub const UNMATCHED: &str = "unmatched";

#[derive(Clone)]
pub struct HttpMetrics {
    registry: Registry,
    requests: IntCounterVec,
    duration: HistogramVec,
}

impl HttpMetrics {
    pub fn new() -> prometheus::Result<Self> {
        let registry = Registry::new();
        let labels = ["route", "method", "status"];
        let requests = IntCounterVec::new(
            Opts::new("http_requests_total", "HTTP requests answered").namespace(NAMESPACE),
            &labels,
        )?;
        let duration = HistogramVec::new(
            HistogramOpts::new("http_request_duration_seconds", "Time to produce the response")
                .namespace(NAMESPACE)
                .buckets(vec![0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.1, 0.5, 1.0]),
            &labels,
        )?;
        registry.register(Box::new(requests.clone()))?;
        registry.register(Box::new(duration.clone()))?;
        Ok(Self { registry, requests, duration })
    }

    pub fn registry(&self) -> &Registry {
        &self.registry
    }
}

/// Middleware body for `middleware::from_fn`, wrapped around each resource with
/// that resource's pattern as `route`: times the handler and records the outcome.
pub async fn record<B: MessageBody>(
    route: &'static str,
    req: ServiceRequest,
    next: Next<B>,
) -> Result<ServiceResponse<B>, Error> {
    let started = Instant::now();
    let metrics = req.app_data::<web::Data<HttpMetrics>>().cloned();
    let res = next.call(req).await?;
    if let Some(metrics) = metrics {
        let status = res.status();
        let labels = [route, res.request().method().as_str(), status.as_str()];
        metrics.requests.with_label_values(&labels).inc();
        metrics.duration.with_label_values(&labels).observe(started.elapsed().as_secs_f64());
    }
    Ok(res)
}

/// What the watcher and the view report about the assembly.
#[derive(Clone)]
pub struct StatusMetrics {
    replicas: IntGaugeVec,
    running: IntGaugeVec,
    healthy: IntGaugeVec,
    pub connected: IntGauge,
    pub events: IntCounter,
    pub resyncs: IntCounter,
    pub reconnects: IntCounter,
    pub connect_failures: IntCounter,
    /// Apps with gauges set, so an app whose last container went away has its
    /// series removed rather than frozen at its last value.
    apps: std::sync::Arc<Mutex<BTreeSet<String>>>,
}

impl StatusMetrics {
    pub fn register(registry: &Registry) -> prometheus::Result<Self> {
        let gauge = |name: &str, help: &str| IntGaugeVec::new(Opts::new(name, help).namespace(NAMESPACE), &["app"]);
        let counter = |name: &str, help: &str| IntCounter::with_opts(Opts::new(name, help).namespace(NAMESPACE));
        let metrics = Self {
            replicas: gauge("replicas", "Labelled containers known, in any state")?,
            running: gauge("replicas_running", "Labelled containers running")?,
            healthy: gauge("replicas_healthy", "Labelled containers running and healthy")?,
            connected: IntGauge::with_opts(
                Opts::new("docker_connected", "1 while the Docker event stream is up").namespace(NAMESPACE),
            )?,
            events: counter("docker_events_total", "Container events received from Docker")?,
            resyncs: counter("docker_resyncs_total", "Full container lists taken")?,
            reconnects: counter("docker_reconnects_total", "Reconnections after losing the daemon")?,
            connect_failures: counter("docker_connect_failures_total", "Failed attempts to reach the daemon")?,
            apps: Default::default(),
        };
        registry.register(Box::new(metrics.replicas.clone()))?;
        registry.register(Box::new(metrics.running.clone()))?;
        registry.register(Box::new(metrics.healthy.clone()))?;
        registry.register(Box::new(metrics.connected.clone()))?;
        registry.register(Box::new(metrics.events.clone()))?;
        registry.register(Box::new(metrics.resyncs.clone()))?;
        registry.register(Box::new(metrics.reconnects.clone()))?;
        registry.register(Box::new(metrics.connect_failures.clone()))?;
        Ok(metrics)
    }

    /// Sets the gauges from a new snapshot.
    pub fn observe(&self, snapshot: &Snapshot) {
        let mut counts: BTreeMap<&str, (i64, i64, i64)> = BTreeMap::new();
        for r in &snapshot.replicas {
            let c = counts.entry(r.app_name.as_str()).or_default();
            c.0 += 1;
            c.1 += i64::from(r.is_running());
            c.2 += i64::from(r.is_running() && r.health == crate::model::Health::Healthy);
        }
        let mut apps = self.apps.lock().unwrap_or_else(|e| e.into_inner());
        for gone in apps.iter().filter(|a| !counts.contains_key(a.as_str())) {
            let _ = self.replicas.remove_label_values(&[gone]);
            let _ = self.running.remove_label_values(&[gone]);
            let _ = self.healthy.remove_label_values(&[gone]);
        }
        for (app, (total, running, healthy)) in &counts {
            self.replicas.with_label_values(&[app]).set(*total);
            self.running.with_label_values(&[app]).set(*running);
            self.healthy.with_label_values(&[app]).set(*healthy);
        }
        *apps = counts.keys().map(|a| (*a).to_owned()).collect();
        self.connected.set(i64::from(snapshot.docker.connected));
    }
}
