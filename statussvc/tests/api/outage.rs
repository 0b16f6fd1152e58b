//! Losing the daemon: statussvc reaches Docker through a `socat` proxy the test
//! controls; cutting it must leave `/status` answering (flagged stale) and
//! `/readyz` at 503; restoring it must reconnect and show what changed meanwhile.

use std::{
    path::{Path, PathBuf},
    process::{Child, Command, Stdio},
    time::{Duration, Instant},
};

use crate::helpers::{Replicas, docker, service, spawn_app_with};

/// `socat` between a private unix socket and the real one, in its own process
/// group so that cutting it also kills the per-connection children (which hold
/// the event stream open).
struct SocketProxy {
    path: PathBuf,
    child: Option<Child>,
}

impl SocketProxy {
    fn start(path: &Path) -> Self {
        let mut proxy = Self { path: path.to_owned(), child: None };
        proxy.restore();
        proxy
    }

    fn restore(&mut self) {
        use std::os::unix::process::CommandExt;
        let upstream = std::env::var("DOCKER_HOST")
            .ok()
            .and_then(|h| h.strip_prefix("unix://").map(str::to_owned))
            .unwrap_or_else(|| "/var/run/docker.sock".into());
        let child = Command::new("socat")
            .arg(format!("UNIX-LISTEN:{},fork,unlink-early", self.path.display()))
            .arg(format!("UNIX-CONNECT:{upstream}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .process_group(0)
            .spawn()
            .expect("socat is required for the daemon-loss test (Debian: apt-get install socat)");
        self.child = Some(child);
        let deadline = Instant::now() + Duration::from_secs(5);
        while !self.path.exists() {
            assert!(Instant::now() < deadline, "socat did not create {}", self.path.display());
            std::thread::sleep(Duration::from_millis(10));
        }
    }

    fn cut(&mut self) {
        if let Some(mut child) = self.child.take() {
            let group = format!("-{}", child.id());
            let _ = Command::new("kill").args(["-KILL", "--", &group]).status();
            let _ = child.wait();
        }
    }
}

impl Drop for SocketProxy {
    fn drop(&mut self) {
        self.cut();
        let _ = std::fs::remove_file(&self.path);
    }
}

#[actix_web::test]
async fn losing_the_daemon_serves_a_stale_view_and_recovers_with_a_resync() {
    // Arrange: statussvc behind the proxy, two replicas seen running.
    let replicas = Replicas::new("outage");
    let socket = std::env::temp_dir().join(format!("statussvc-proxy-{}.sock", std::process::id()));
    let mut proxy = SocketProxy::start(&socket);
    let host = format!("unix://{}", socket.display());
    let app = spawn_app_with(&[("DOCKER_HOST", host.as_str())]).await;
    replicas.start("a", &[]);
    replicas.start("b", &[]);
    app.wait_for_status(&replicas.app, "2 running", |s| s["summary"]["running"] == 2).await;
    assert_eq!(app.get("/readyz").await.status(), 200);

    // Act: cut the link.
    proxy.cut();

    // Assert: still answering, flagged stale, not ready.
    let stale = app.wait_for_status(&replicas.app, "stale flag", |s| s["docker"]["connected"] == false).await;
    assert_eq!(stale["summary"]["running"], 2, "last known view kept");
    assert!(stale["docker"]["lastSyncAt"].is_string());
    assert!(stale["docker"]["lastError"].is_string());
    let readyz = app.get("/readyz").await;
    assert_eq!(readyz.status(), 503);
    assert_eq!(readyz.headers()["content-type"], "application/problem+json");

    // Act: change things while statussvc cannot see, then restore the link.
    docker(&["stop", "--time", "5", &replicas.name("a")]);
    replicas.start("c", &[]);
    assert_eq!(
        app.get_json(&format!("/status?appName={}", replicas.app)).await["summary"]["total"],
        2,
        "nothing seen during the outage"
    );
    proxy.restore();

    // Assert: reconnected, and the resync shows the outage's changes.
    let fresh = app
        .wait_for_status(&replicas.app, "reconnect and resync", |s| {
            s["docker"]["connected"] == true && s["summary"]["total"] == 3
        })
        .await;
    assert_eq!(service(&fresh, &replicas.name("a")).unwrap()["state"], "exited");
    assert_eq!(service(&fresh, &replicas.name("c")).unwrap()["state"], "running");
    assert_eq!(fresh["docker"]["lastError"], serde_json::Value::Null);
    assert_eq!(app.get("/readyz").await.status(), 200);
    let metrics = app.get("/metrics").await.text().await.unwrap();
    assert!(metrics.contains("statussvc_docker_reconnects_total 1"), "{metrics}");

    // And events flow again after the reconnect, not just the resync.
    docker(&["stop", "--time", "5", &replicas.name("b")]);
    app.wait_for_status(&replicas.app, "b exited via events", |s| {
        service(s, &replicas.name("b")).is_some_and(|b| b["state"] == "exited")
    })
    .await;
}

#[actix_web::test]
async fn without_a_daemon_status_answers_and_readyz_is_503() {
    let app = spawn_app_with(&[("DOCKER_HOST", "unix:///nonexistent/docker.sock")]).await;

    let status = app.get_json("/status").await;
    let readyz = app.get("/readyz").await;

    assert_eq!(status["docker"]["connected"], false);
    assert_eq!(status["docker"]["lastSyncAt"], serde_json::Value::Null);
    assert_eq!(readyz.status(), 503);
    let problem: serde_json::Value = readyz.json().await.unwrap();
    assert!(problem["detail"].as_str().unwrap().contains("never listed"), "{problem}");
}
