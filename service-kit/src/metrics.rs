//! HTTP request metrics: a count and a latency histogram by route, method and
//! status, in a `prometheus` registry that `/metrics` encodes.
//!
//! Measured, not assumed: `actix-web-prom` derives the route label per request
//! (actix's `match_pattern()` re-runs the router, then a template substitution),
//! which cost ~15% of this service's requests/s, and even a label lookup per
//! request showed up in profiles. So each route gets a [`RouteMetrics`] where it
//! is registered, with the series for its usual outcomes resolved up front;
//! recording one of those is two atomic updates.
//!
//! The registry is the service's one registry: a service registers its own
//! series into [`HttpMetrics::registry`], and `/metrics` encodes it all.

use std::{sync::Arc, time::Instant};

use actix_web::{
    Error,
    body::MessageBody,
    dev::{ServiceRequest, ServiceResponse},
    http::{Method, StatusCode},
    middleware::Next,
};
use prometheus::{Histogram, HistogramOpts, HistogramVec, IntCounter, IntCounterVec, Opts, Registry};

/// Route label for requests that matched no route (bounded cardinality).
pub const UNMATCHED: &str = "unmatched";

/// Outcomes resolved up front for every route; anything else is looked up.
const USUAL_METHODS: [Method; 2] = [Method::GET, Method::HEAD];
const USUAL_STATUSES: [StatusCode; 4] =
    [StatusCode::OK, StatusCode::NOT_MODIFIED, StatusCode::NOT_FOUND, StatusCode::METHOD_NOT_ALLOWED];

/// The HTTP series of one service (`<namespace>_http_requests_total`,
/// `<namespace>_http_request_duration_seconds`) and the registry they live in.
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

    /// The recorder for one route (its pattern, e.g. `/data/{partitionKey}/{id}`).
    pub fn route(&self, route: &'static str) -> RouteMetrics {
        let usual = USUAL_METHODS
            .iter()
            .flat_map(|method| USUAL_STATUSES.iter().map(move |status| (method, status)))
            .map(|(method, status)| {
                let labels = [route, method.as_str(), status.as_str()];
                (
                    method.clone(),
                    *status,
                    self.requests.with_label_values(&labels),
                    self.duration.with_label_values(&labels),
                )
            })
            .collect();
        RouteMetrics(Arc::new(RouteSeries { route, usual, all: self.clone() }))
    }
}

/// Series of one route; cheap to clone (one `Arc`).
#[derive(Clone)]
pub struct RouteMetrics(Arc<RouteSeries>);

struct RouteSeries {
    route: &'static str,
    usual: Vec<(Method, StatusCode, IntCounter, Histogram)>,
    all: HttpMetrics,
}

impl RouteMetrics {
    fn observe(&self, method: &Method, status: StatusCode, seconds: f64) {
        let series = &self.0;
        match series.usual.iter().find(|(m, s, ..)| m == method && *s == status) {
            Some((_, _, count, duration)) => {
                count.inc();
                duration.observe(seconds);
            }
            None => {
                let labels = [series.route, method.as_str(), status.as_str()];
                series.all.requests.with_label_values(&labels).inc();
                series.all.duration.with_label_values(&labels).observe(seconds);
            }
        }
    }
}

/// Middleware body for `middleware::from_fn`, wrapped around each route with
/// that route's recorder: times the handler and records the outcome.
pub async fn record<B: MessageBody>(
    route: RouteMetrics,
    req: ServiceRequest,
    next: Next<B>,
) -> Result<ServiceResponse<B>, Error> {
    let started = Instant::now();
    let res = next.call(req).await?;
    route.observe(res.request().method(), res.status(), started.elapsed().as_secs_f64());
    Ok(res)
}
