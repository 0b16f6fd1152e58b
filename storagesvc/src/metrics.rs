//! HTTP request metrics: a count and a latency histogram by route, method and
//! status, in a `prometheus` registry that `/metrics` encodes.
//!
//! Why not `actix-web-prom`: it derives the route label per request (actix's
//! `match_pattern()` re-runs the router, then a template substitution), which
//! measured at ~15% of this service's requests/s. Here each resource is wrapped
//! with its own static label (`/data/{partitionKey}/{id}`) where it is
//! registered, so recording costs two label lookups and no allocation.

use std::time::Instant;

use actix_web::{
    Error,
    body::MessageBody,
    dev::{ServiceRequest, ServiceResponse},
    middleware::Next,
    web,
};
use prometheus::{HistogramOpts, HistogramVec, IntCounterVec, Opts, Registry};

/// Route label for requests that matched no route (bounded cardinality).
pub const UNMATCHED: &str = "unmatched";

#[derive(Clone)]
pub struct HttpMetrics {
    registry: Registry,
    requests: IntCounterVec,
    duration: HistogramVec,
}

impl HttpMetrics {
    pub fn new(namespace: &str) -> prometheus::Result<Self> {
        let registry = Registry::new();
        let labels = ["route", "method", "status"];
        let requests = IntCounterVec::new(
            Opts::new("http_requests_total", "HTTP requests answered").namespace(namespace),
            &labels,
        )?;
        let duration = HistogramVec::new(
            HistogramOpts::new("http_request_duration_seconds", "Time to produce the response")
                .namespace(namespace)
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
