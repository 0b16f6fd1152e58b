//! Builds the service: the shared state, the Docker watcher, the HTTP server.
//!
//! The server starts whether or not Docker is reachable: `/readyz` says 503
//! until the first full list succeeds. Must be called inside an actix/tokio
//! runtime: it spawns the watcher.

use std::{sync::Arc, time::Duration};

use actix_web::web;
use anyhow::Context;
use service_kit::{metrics::HttpMetrics, server::Application};

use crate::{
    configuration::Settings,
    metrics::StatusMetrics,
    routes::{self, status::ReportCache, unavailable::RetryAfter},
    state::StatusState,
    watcher::{self, WatchSettings},
};

pub fn build(settings: Settings) -> anyhow::Result<Application> {
    let http_metrics = HttpMetrics::new("statussvc").context("cannot register metrics")?;
    let status_metrics = StatusMetrics::register(http_metrics.registry()).context("cannot register metrics")?;
    let state = Arc::new(StatusState::new(status_metrics.clone()));

    let watch = WatchSettings {
        docker_host: settings.docker_host.clone(),
        selection: settings.selection.clone(),
        docker_timeout: settings.docker_timeout,
        resync_interval: settings.resync_interval,
        backoff_min: Duration::from_millis(100),
        backoff_max: Duration::from_secs(2),
    };
    actix_web::rt::spawn(watcher::run(watch, state.clone(), status_metrics));
    log::info!("statussvc reads Docker at {}", settings.docker_host);

    // Built once, shared by every worker.
    let state = web::Data::from(state);
    let http_metrics = web::Data::new(http_metrics);
    let cache = web::Data::new(ReportCache::default());
    let retry_after = web::Data::new(RetryAfter(settings.retry_after));
    let env = settings.http.env;
    let served_by = format!("statussvc@{}", gethostname::gethostname().to_string_lossy());
    service_kit::server::serve("statussvc", &settings.http, &served_by, move |cfg| {
        cfg.app_data(state.clone())
            .app_data(http_metrics.clone())
            .app_data(cache.clone())
            .app_data(retry_after.clone());
        routes::configure(cfg, env, &http_metrics);
    })
}
