//! Test harness: the real server on port 0, the fixture image, and a drop guard
//! that removes every container a test created, even when the test fails.

use std::{
    fs::File,
    ops::Deref,
    process::Command,
    time::{Duration, Instant, SystemTime, UNIX_EPOCH},
};

use serde_json::Value;
pub use service_kit::testing::assert_problem;
use service_kit::{
    settings::FromEnv,
    testing::{TestApp as KitApp, lookup},
};
use statussvc::{configuration::Settings, startup};

/// The label key every test uses; each test picks a unique value (its app name).
pub const LABEL: &str = "app.name";

/// The service kit's test app, plus waiting on `/status`.
pub struct TestApp(KitApp);

impl Deref for TestApp {
    type Target = KitApp;

    fn deref(&self) -> &KitApp {
        &self.0
    }
}

impl TestApp {
    /// Polls `/status?appName=<app>` until `ready` holds (20 s at most).
    pub async fn wait_for_status(&self, app: &str, what: &str, ready: impl Fn(&Value) -> bool) -> Value {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let status = self.get_json(&format!("/status?appName={app}")).await;
            if ready(&status) {
                return status;
            }
            assert!(Instant::now() < deadline, "timed out waiting for {what}; last /status: {status:#}");
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
    }
}

/// Starts statussvc with `vars` on top of test defaults (port 0, loopback, the
/// daemon of this shell's `DOCKER_HOST`).
pub async fn spawn_app_with(vars: &[(&str, &str)]) -> TestApp {
    let docker_host = std::env::var("DOCKER_HOST").unwrap_or_else(|_| "unix:///var/run/docker.sock".into());
    let defaults = [("PORT", "0"), ("HOST", "127.0.0.1"), ("DOCKER_HOST", docker_host.as_str())];
    let settings = Settings::from_lookup(lookup(&defaults, vars)).expect("valid test settings");
    TestApp(KitApp::spawn(startup::build(settings).expect("server starts")))
}

/// statussvc connected to the real daemon, ready (first list done).
pub async fn spawn_app() -> TestApp {
    require_docker();
    let app = spawn_app_with(&[]).await;
    let deadline = Instant::now() + Duration::from_secs(20);
    while app.get("/readyz").await.status() != 200 {
        assert!(Instant::now() < deadline, "statussvc never became ready against the Docker daemon");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    app
}

/// Runs the docker CLI; panics with its stderr on failure.
pub fn docker(args: &[&str]) -> String {
    let output = Command::new("docker").args(args).output().expect("the docker CLI is required");
    assert!(output.status.success(), "docker {} failed: {}", args.join(" "), String::from_utf8_lossy(&output.stderr));
    String::from_utf8_lossy(&output.stdout).trim().to_owned()
}

/// These tests exist to prove behaviour against a real daemon: no daemon is a
/// failure with a clear message, never a skip.
pub fn require_docker() {
    let ok = Command::new("docker").args(["version", "--format", "{{.Server.Version}}"]).output();
    match ok {
        Ok(out) if out.status.success() => {}
        Ok(out) => panic!(
            "the Docker daemon is required for statussvc's tests and is not reachable: {}",
            String::from_utf8_lossy(&out.stderr)
        ),
        Err(e) => panic!("the docker CLI is required for statussvc's tests: {e}"),
    }
}

/// Builds (once per fixture source, under a file lock because nextest runs
/// tests as parallel processes) a `FROM scratch` image around a static build
/// of `tests/fixture/replica.rs`, and returns its tag.
pub fn replica_image() -> String {
    const SOURCE: &str = include_str!("../fixture/replica.rs");
    let digest = SOURCE.bytes().fold(0xcbf29ce484222325u64, |h, b| (h ^ u64::from(b)).wrapping_mul(0x100000001b3));
    let tag = format!("statussvc-test-replica:{digest:016x}");

    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("replica-image");
    std::fs::create_dir_all(&dir).unwrap();
    let lock = File::create(dir.join(".lock")).unwrap();
    lock.lock().expect("lock the fixture build");
    let exists = Command::new("docker").args(["image", "inspect", &tag]).output().unwrap().status.success();
    if !exists {
        let source = dir.join("replica.rs");
        std::fs::write(&source, SOURCE).unwrap();
        let rustc = std::env::var("RUSTC").unwrap_or_else(|_| "rustc".into());
        let built = Command::new(rustc)
            .args(["--edition", "2024", "-O", "-C", "strip=symbols", "-C", "target-feature=+crt-static", "-o"])
            .arg(dir.join("replica"))
            .arg(&source)
            .status()
            .expect("rustc is required to build the test fixture");
        assert!(built.success(), "building the fixture failed");
        std::fs::write(
            dir.join("Dockerfile"),
            "FROM scratch\n\
             COPY replica /replica\n\
             USER 65532:65532\n\
             HEALTHCHECK --interval=1s --timeout=1s --retries=1 CMD [\"/replica\", \"health\"]\n\
             ENTRYPOINT [\"/replica\"]\n",
        )
        .unwrap();
        docker(&["build", "--quiet", "--tag", &tag, dir.to_str().unwrap()]);
    }
    tag
}

/// Containers of one test's private app. Dropping it removes them all.
pub struct Replicas {
    pub app: String,
    image: String,
}

impl Replicas {
    /// A unique app name (label value) for this test run.
    pub fn new(test: &str) -> Self {
        require_docker();
        let nanos = SystemTime::now().duration_since(UNIX_EPOCH).unwrap().subsec_nanos();
        Self { app: format!("t-{test}-{}-{nanos:x}", std::process::id()), image: replica_image() }
    }

    /// Starts a labelled replica named `<app>-<suffix>`; returns its full id.
    pub fn start(&self, suffix: &str, extra: &[&str]) -> String {
        let name = self.name(suffix);
        let label = format!("{LABEL}={}", self.app);
        let mut args = vec!["run", "--detach", "--name", &name, "--label", &label];
        args.extend_from_slice(extra);
        args.push(&self.image);
        docker(&args)
    }

    /// Starts a container that is ours (cleaned up) but carries no app label.
    pub fn start_unlabelled(&self, suffix: &str) -> String {
        let name = self.name(suffix);
        let marker = format!("statussvc.test.unlabelled={}", self.app);
        docker(&["run", "--detach", "--name", &name, "--label", &marker, &self.image])
    }

    pub fn name(&self, suffix: &str) -> String {
        format!("{}-{suffix}", self.app)
    }
}

impl Drop for Replicas {
    fn drop(&mut self) {
        for filter in [format!("label={LABEL}={}", self.app), format!("label=statussvc.test.unlabelled={}", self.app)] {
            let Ok(out) = Command::new("docker").args(["ps", "-aq", "--filter", &filter]).output() else { continue };
            let ids: Vec<String> = String::from_utf8_lossy(&out.stdout).split_whitespace().map(str::to_owned).collect();
            if !ids.is_empty() {
                let _ = Command::new("docker").args(["rm", "-f"]).args(&ids).output();
            }
        }
    }
}

/// The services of a `/status` body.
pub fn services(status: &Value) -> &Vec<Value> {
    status["services"].as_array().expect("services array")
}

/// The service named `name` in a `/status` body.
pub fn service<'a>(status: &'a Value, name: &str) -> Option<&'a Value> {
    services(status).iter().find(|s| s["name"] == name)
}
