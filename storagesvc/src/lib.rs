//! storagesvc: a partition-keyed, read-only, in-memory storage service.
//!
//! Runs as any number of identical replicas behind the gateway. The folder tree
//! is the architecture: [`configuration`] (typed settings), `store` (the
//! dataset, pre-serialised; the domain, which knows nothing of HTTP), `routes`
//! (one module per endpoint group, registered in one place with the OpenAPI
//! document), `error` (callers' mistakes as problem+json), [`startup`] (loads,
//! binds, serves). What both services share lives in `service-kit`.

pub mod configuration;
mod error;
mod routes;
pub mod startup;
mod store;

pub use store::EMBEDDED_DATASET;
