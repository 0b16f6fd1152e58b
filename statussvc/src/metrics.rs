//! statussvc's own Prometheus series: per-app replica gauges and counters for
//! the Docker link (events, resyncs, reconnects). They live in the service's
//! one registry, beside the HTTP series of `service_kit::metrics`.

use std::{
    collections::{BTreeMap, BTreeSet},
    sync::Mutex,
};

use prometheus::{IntCounter, IntGauge, IntGaugeVec, Opts, Registry};

use crate::model::Summary;

const NAMESPACE: &str = "statussvc";

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

    /// Sets the gauges: one summary per app, and whether the Docker link is up.
    pub fn observe(&self, counts: &BTreeMap<&str, Summary>, connected: bool) {
        let mut apps = self.apps.lock().unwrap_or_else(|e| e.into_inner());
        for gone in apps.iter().filter(|a| !counts.contains_key(a.as_str())) {
            let _ = self.replicas.remove_label_values(&[gone]);
            let _ = self.running.remove_label_values(&[gone]);
            let _ = self.healthy.remove_label_values(&[gone]);
        }
        let gauge = |n: usize| i64::try_from(n).unwrap_or(i64::MAX);
        for (app, summary) in counts {
            self.replicas.with_label_values(&[app]).set(gauge(summary.total));
            self.running.with_label_values(&[app]).set(gauge(summary.running));
            self.healthy.with_label_values(&[app]).set(gauge(summary.healthy));
        }
        *apps = counts.keys().map(|a| (*a).to_owned()).collect();
        self.connected.set(i64::from(connected));
    }
}
