//! Integration tests: the real server on port 0, spoken to over HTTP.
//! One test binary (faster to link); one module per concern.

mod data;
mod docs;
mod errors;
mod helpers;
mod operations;
mod process;
