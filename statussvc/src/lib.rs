//! statussvc: which replicas of the assembly exist and whether they are up.
//!
//! The folder tree is the architecture: [`docker`] (the only module that speaks
//! to Docker, via bollard) feeds [`watcher`] (list, then follow events, resync,
//! reconnect), which keeps [`state`] (immutable snapshots, change broadcast)
//! current; [`routes`] only read the state, through [`report`] (the API's view
//! of it). [`model`] holds our own container types, [`error`] the problem+json
//! body, [`configuration`] the typed settings, [`startup`] the wiring.

pub mod configuration;
pub mod docker;
pub mod error;
pub mod healthcheck;
pub mod metrics;
pub mod model;
pub mod openapi;
pub mod report;
pub mod routes;
pub mod startup;
pub mod state;
pub mod watcher;
