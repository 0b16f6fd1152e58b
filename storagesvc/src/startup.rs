//! Builds the server: loads the data, binds the listener, wires middleware.
//!
//! [`Application::build`] binds before it returns, so [`Application::port`] is the
//! real port even when `PORT=0` (the tests run many servers in parallel).

use std::net::TcpListener;

use actix_web::{
    App, HttpServer,
    dev::Server,
    middleware::{Condition, DefaultHeaders, Logger},
    web,
};
use anyhow::Context;

use crate::{configuration::Settings, metrics::HttpMetrics, routes, store::Store};

pub struct Application {
    port: u16,
    server: Server,
}

impl Application {
    /// Loads the dataset (all or nothing) and binds; nothing is served until both
    /// succeeded, so a broken `DATA_FILE` never yields a half-started service.
    pub fn build(settings: Settings) -> anyhow::Result<Self> {
        let store = Store::load(settings.data_file.as_deref())?;
        log::info!(
            "loaded {} records in {} partitions from {}",
            store.record_count(),
            store.partition_count(),
            settings.data_file.as_ref().map_or("the embedded dataset".into(), |p| p.display().to_string())
        );

        let listener = TcpListener::bind((settings.host.as_str(), settings.port))
            .with_context(|| format!("cannot listen on {}:{}", settings.host, settings.port))?;
        let port = listener.local_addr().context("cannot read the bound address")?.port();

        // Built once, shared by every worker.
        let store = web::Data::new(store);
        let metrics = web::Data::new(HttpMetrics::new("storagesvc").context("cannot register metrics")?);
        let env = settings.env;
        let served_by = settings.served_by.clone();
        let request_logs = env.is_development();

        let mut server = HttpServer::new(move || {
            App::new()
                .app_data(store.clone())
                .app_data(metrics.clone())
                .configure(|cfg| routes::configure(cfg, env, &metrics))
                .wrap(DefaultHeaders::new().add(("X-Served-By", served_by.as_str())))
                .wrap(Condition::new(request_logs, Logger::default()))
        })
        .shutdown_timeout(settings.shutdown_timeout.as_secs())
        .listen(listener)
        .context("cannot start the HTTP server")?;
        if let Some(workers) = settings.workers {
            server = server.workers(workers);
        }
        log::info!("storagesvc ({}) listening on {}:{port} as {}", settings.env, settings.host, settings.served_by);
        Ok(Self { port, server: server.run() })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// Serves until SIGTERM/SIGINT; in-flight requests get `SHUTDOWN_TIMEOUT_SECS`.
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        self.server.await
    }
}
