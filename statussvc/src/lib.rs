//! statussvc: which replicas of the assembly exist and whether they are up.
//!
//! The folder tree is the architecture, and dependencies point one way:
//! - `model`: our own replica type, its states, the one rule for "healthy", and
//!   the per-app summary. Imports nothing else from the crate.
//! - `docker` (the only module that speaks to Docker, via bollard) feeds
//!   `watcher` (list, then follow events, resync, reconnect), which keeps
//!   `state` (immutable snapshots, change broadcast, the gauges of `metrics`)
//!   current.
//! - `routes` only read the state, through `report` (the API's view of a
//!   snapshot); `error` holds callers' mistakes as problem+json.
//! - [`configuration`] holds the typed settings, [`startup`] the wiring. What
//!   both services share lives in `service-kit`.

pub mod configuration;
mod docker;
mod error;
mod metrics;
mod model;
mod report;
mod routes;
pub mod startup;
mod state;
mod watcher;
