//! Builds the server: loads the data, then binds and serves.
//!
//! Nothing is served until the dataset loaded (all or nothing), so a broken
//! `DATA_FILE` never yields a half-started service.

use actix_web::web;
use anyhow::Context;
use service_kit::{metrics::HttpMetrics, server::Application};

use crate::{configuration::Settings, routes, store::Store};

pub fn build(settings: Settings) -> anyhow::Result<Application> {
    let store = Store::load(settings.data_file.as_deref())?;
    log::info!(
        "loaded {} records in {} partitions from {}",
        store.record_count(),
        store.partition_count(),
        settings.data_file.as_ref().map_or("the embedded dataset".into(), |p| p.display().to_string())
    );

    // Built once, shared by every worker.
    let store = web::Data::new(store);
    let metrics = web::Data::new(HttpMetrics::new("storagesvc").context("cannot register metrics")?);
    let env = settings.http.env;
    service_kit::server::serve("storagesvc", &settings.http, &settings.served_by, move |cfg| {
        cfg.app_data(store.clone()).app_data(metrics.clone());
        routes::configure(cfg, env, &metrics);
    })
}
