//! `/status/stream`: a snapshot first, then an event per change, live.

use std::time::Duration;

use futures_util::StreamExt;
use serde_json::Value;

use crate::helpers::{Replicas, docker, spawn_app};

/// Reads SSE events (`event`, parsed `data`) until `until` matches one.
async fn read_until(
    body: &mut (impl futures_util::Stream<Item = reqwest::Result<actix_web::web::Bytes>> + Unpin),
    buffer: &mut String,
    until: impl Fn(&str, &Value) -> bool,
) -> Vec<(String, Value)> {
    let mut events = Vec::new();
    let read = async {
        loop {
            while let Some(end) = buffer.find("\n\n") {
                let block: String = buffer.drain(..end + 2).collect();
                let mut name = String::new();
                let mut data = String::new();
                for line in block.lines() {
                    if let Some(v) = line.strip_prefix("event: ") {
                        name = v.to_owned();
                    } else if let Some(v) = line.strip_prefix("data: ") {
                        data.push_str(v);
                    }
                }
                if data.is_empty() {
                    continue; // keep-alive comment
                }
                let value: Value = serde_json::from_str(&data).unwrap();
                let done = until(&name, &value);
                events.push((name, value));
                if done {
                    return;
                }
            }
            let chunk = body.next().await.expect("stream ended").unwrap();
            buffer.push_str(std::str::from_utf8(&chunk).unwrap());
        }
    };
    tokio::time::timeout(Duration::from_secs(20), read)
        .await
        .unwrap_or_else(|_| panic!("no such event; saw {events:?}"));
    events
}

#[actix_web::test]
async fn the_stream_sends_a_snapshot_then_a_change_when_a_replica_stops() {
    let replicas = Replicas::new("stream");
    let app = spawn_app().await;
    replicas.start("a", &[]);
    app.wait_for_status(&replicas.app, "running", |s| s["summary"]["running"] == 1).await;

    let response = app.get(&format!("/status/stream?appName={}", replicas.app)).await;
    assert_eq!(response.status(), 200);
    assert!(response.headers()["content-type"].to_str().unwrap().starts_with("text/event-stream"));
    let mut body = response.bytes_stream();
    let mut buffer = String::new();

    let first = read_until(&mut body, &mut buffer, |name, _| name == "snapshot").await;
    let snapshot = &first[0].1;
    assert_eq!(first[0].0, "snapshot");
    assert_eq!(snapshot["summary"]["running"], 1);
    assert_eq!(snapshot["services"][0]["name"], replicas.name("a"));

    docker(&["stop", "--time", "5", &replicas.name("a")]);
    let events =
        read_until(&mut body, &mut buffer, |name, data| name == "updated" && data["service"]["state"] == "exited")
            .await;

    let (_, last) = events.last().unwrap();
    assert_eq!(last["service"]["name"], replicas.name("a"));
    assert_eq!(last["service"]["exitCode"], 3);
    assert!(events.iter().all(|(_, d)| d["service"]["appName"] == replicas.app.as_str()), "filter applied");
}

#[actix_web::test]
async fn the_stream_rejects_bad_parameters_with_a_problem() {
    let app = spawn_app().await;

    let response = app.get("/status/stream?bogus=1").await;

    assert_eq!(response.status(), 400);
    assert_eq!(response.headers()["content-type"], "application/problem+json");
}
