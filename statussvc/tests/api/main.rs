//! Integration tests. Everything that involves containers runs against the real
//! Docker daemon (no fake API): the tests build a tiny `FROM scratch` image,
//! start labelled containers, stop, kill, pause and remove them, and watch
//! `/status` follow. No daemon means these tests fail; they never skip.

mod discovery;
mod helpers;
mod http;
mod outage;
mod stream;
