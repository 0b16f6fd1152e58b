//! Builds the service: the shared state, the Docker watcher, the HTTP server.
//!
//! [`Application::build`] binds before it returns, so [`Application::port`] is the
//! real port even when `PORT=0`. The server starts whether or not Docker is
//! reachable: `/readyz` says 503 until the first full list succeeds.

use std::{net::TcpListener, sync::Arc, time::Duration};

use actix_web::{
    App, HttpServer,
    dev::Server,
    middleware::{Condition, DefaultHeaders, Logger},
    web,
};
use anyhow::Context;

use crate::{
    configuration::Settings,
    metrics::{HttpMetrics, StatusMetrics},
    routes::{self, status::ReportCache, unavailable::RetryAfter},
    state::StatusState,
    watcher::{self, WatchSettings},
};

pub struct Application {
    port: u16,
    server: Server,
}

impl Application {
    /// Must be called inside an actix/tokio runtime: it spawns the watcher.
    pub fn build(settings: Settings) -> anyhow::Result<Self> {
        let listener = TcpListener::bind((settings.host.as_str(), settings.port))
            .with_context(|| format!("cannot listen on {}:{}", settings.host, settings.port))?;
        let port = listener.local_addr().context("cannot read the bound address")?.port();

        let http_metrics = HttpMetrics::new().context("cannot register metrics")?;
        let status_metrics = StatusMetrics::register(http_metrics.registry()).context("cannot register metrics")?;
        let state = Arc::new(StatusState::new(status_metrics.clone()));

        let watch = WatchSettings {
            docker_host: settings.docker_host.clone(),
            label_key: settings.label_key.clone(),
            label_allowlist: settings.label_allowlist.clone(),
            docker_timeout: settings.docker_timeout,
            resync_interval: settings.resync_interval,
            backoff_min: Duration::from_millis(100),
            backoff_max: Duration::from_secs(5),
        };
        actix_web::rt::spawn(watcher::run(watch, state.clone(), status_metrics));

        // Built once, shared by every worker.
        let state_data = web::Data::from(state.clone());
        let http_metrics = web::Data::new(http_metrics);
        let cache = web::Data::new(ReportCache::default());
        let retry_after = web::Data::new(RetryAfter(settings.retry_after));
        let env = settings.env;
        let request_logs = env.is_development();
        let served_by = format!("statussvc@{}", gethostname::gethostname().to_string_lossy());

        let mut server = HttpServer::new(move || {
            App::new()
                .app_data(state_data.clone())
                .app_data(http_metrics.clone())
                .app_data(cache.clone())
                .app_data(retry_after.clone())
                .configure(|cfg| routes::configure(cfg, env))
                .wrap(DefaultHeaders::new().add(("X-Served-By", served_by.as_str())))
                .wrap(Condition::new(request_logs, Logger::default()))
        })
        .shutdown_timeout(settings.shutdown_timeout.as_secs())
        .listen(listener)
        .context("cannot start the HTTP server")?;
        if let Some(workers) = settings.workers {
            server = server.workers(workers);
        }
        log::info!(
            "statussvc ({}) listening on {}:{port}; Docker at {}",
            settings.env,
            settings.host,
            settings.docker_host
        );
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
