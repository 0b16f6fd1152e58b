//! Binds the listener and runs an actix server with what every service wraps
//! around its routes: `X-Served-By`, request logs in development, the worker
//! count and the shutdown grace from [`HttpSettings`].
//!
//! [`serve`] binds before it returns, so [`Application::port`] is the real
//! port even when `PORT=0` (the tests run many servers in parallel).

use std::net::TcpListener;

use actix_web::{
    App, HttpServer,
    dev::Server,
    middleware::{Condition, DefaultHeaders, Logger},
    web,
};
use anyhow::Context;

use crate::settings::HttpSettings;

/// A bound, running server.
pub struct Application {
    port: u16,
    server: Server,
}

impl Application {
    pub fn port(&self) -> u16 {
        self.port
    }

    /// Serves until SIGTERM/SIGINT; in-flight requests get `SHUTDOWN_TIMEOUT_SECS`.
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        self.server.await
    }
}

/// Binds `http.host:http.port` and serves `routes` (which registers the
/// service's app data and routes), every response naming `served_by`.
pub fn serve<F>(name: &str, http: &HttpSettings, served_by: &str, routes: F) -> anyhow::Result<Application>
where
    F: Fn(&mut web::ServiceConfig) + Clone + Send + 'static,
{
    let listener = TcpListener::bind((http.host.as_str(), http.port))
        .with_context(|| format!("cannot listen on {}:{}", http.host, http.port))?;
    let port = listener.local_addr().context("cannot read the bound address")?.port();
    let request_logs = http.env.is_development();
    let served_by_header = served_by.to_owned();
    let mut server = HttpServer::new(move || {
        App::new()
            .configure(routes.clone())
            .wrap(DefaultHeaders::new().add(("X-Served-By", served_by_header.as_str())))
            .wrap(Condition::new(request_logs, Logger::default()))
    })
    .shutdown_timeout(http.shutdown_timeout.as_secs())
    .listen(listener)
    .context("cannot start the HTTP server")?;
    if let Some(workers) = http.workers {
        server = server.workers(workers);
    }
    log::info!("{name} ({}) listening on {}:{port} as {served_by}", http.env, http.host);
    Ok(Application { port, server: server.run() })
}
