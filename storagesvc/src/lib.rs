//! storagesvc: a partition-keyed, read-only, in-memory storage service.
//!
//! Runs as any number of identical replicas behind the gateway. The folder tree is
//! the architecture: [`configuration`] (typed settings), [`store`] (the dataset,
//! pre-serialised), [`routes`] (one module per endpoint group, registered in one
//! place), [`error`] (the problem+json body), [`metrics`], [`openapi`], [`startup`] (binds the
//! listener and builds the server), [`healthcheck`] (the Docker `HEALTHCHECK`).

pub mod configuration;
pub mod error;
pub mod healthcheck;
pub mod metrics;
pub mod openapi;
pub mod routes;
pub mod startup;
pub mod store;
