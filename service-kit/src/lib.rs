//! What both services need in the same shape, written once.
//!
//! - [`problem`]: the one error body, RFC 9457 `application/problem+json`, and the
//!   404/405 answers every service gives for paths and methods it does not serve.
//! - [`settings`]: environment parsing (typed, trimmed, naming the variable on
//!   error) and the HTTP settings every service reads.
//! - [`metrics`]: HTTP request metrics with series resolved at registration.
//! - [`routes`]: read-only resources, the probes, `/metrics`, the docs routes.
//! - [`server`]: binds the listener and runs an actix server with the common
//!   middleware; [`cli`]: the `main` skeleton with the `healthcheck` subcommand
//!   ([`healthcheck`]).
//!
//! Nothing here knows either service: each service folder holds only what makes
//! it that service.

pub mod cli;
pub mod healthcheck;
pub mod metrics;
pub mod problem;
pub mod routes;
pub mod server;
pub mod settings;
#[cfg(feature = "testing")]
pub mod testing;
