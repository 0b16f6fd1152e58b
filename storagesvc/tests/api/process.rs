//! The binary as a process: bad `DATA_FILE`s stop it at start with one clear
//! message; SIGTERM stops it promptly; `healthcheck` probes it.

use std::{
    io::Write,
    net::TcpListener,
    path::Path,
    process::{Child, Command, Output, Stdio},
    time::{Duration, Instant},
};

const BIN: &str = env!("CARGO_BIN_EXE_storagesvc");

fn run_with_data_file(path: &Path) -> Output {
    let mut child = Command::new(BIN)
        .env("DATA_FILE", path)
        .env("PORT", "0")
        .env("HOST", "127.0.0.1")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // A bad file must stop the process at once; a hang here is a failure.
    let deadline = Instant::now() + Duration::from_secs(10);
    while child.try_wait().unwrap().is_none() {
        if Instant::now() > deadline {
            child.kill().unwrap();
            panic!("storagesvc kept running with a bad DATA_FILE");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    child.wait_with_output().unwrap()
}

fn temp_file(name: &str, contents: &[u8]) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("storagesvc-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::File::create(&path).unwrap().write_all(contents).unwrap();
    path
}

fn assert_refuses(path: &Path, expected: &[&str]) {
    let output = run_with_data_file(path);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!output.status.success(), "must exit non-zero: {stderr}");
    assert!(stderr.contains(&path.display().to_string()), "names the file: {stderr}");
    for text in expected {
        assert!(stderr.contains(text), "expected {text:?} in: {stderr}");
    }
    assert!(!stderr.contains("panicked"), "no panic: {stderr}");
    assert!(!stderr.contains("listening"), "never started serving: {stderr}");
}

#[test]
fn missing_data_file_exits_non_zero_naming_it() {
    assert_refuses(Path::new("/nonexistent/data.json"), &["cannot read", "No such file"]);
}

#[test]
fn unreadable_data_file_exits_non_zero_naming_it() {
    let dir = std::env::temp_dir();
    assert_refuses(&dir, &["cannot read"]);
}

#[test]
fn malformed_data_file_reports_line_and_column() {
    let path = temp_file("malformed.json", b"{\n  \"orders\": {\n    \"1\": {\"total\": 12,}\n  }\n}\n");
    assert_refuses(&path, &["not valid JSON", "line 3, column"]);
}

#[test]
fn truncated_data_file_is_refused() {
    let path = temp_file("truncated.json", b"{\"orders\": {\"1\": {\"total\": 1");
    assert_refuses(&path, &["not valid JSON", "line 1"]);
}

#[test]
fn wrongly_shaped_data_file_is_refused() {
    let path = temp_file("shape.json", br#"{"orders": {"1": {}}, "customers": ["not", "records"]}"#);
    assert_refuses(&path, &["wrong shape", "line 1, column", "\"customers\"", "invalid type: sequence"]);
}

#[test]
fn a_users_data_file_replaces_the_embedded_dataset() {
    let path = temp_file("custom.json", br#"{"fleet": {"bus-7": {"seats": 48, "electric": true}}}"#);
    let mut server = Server::start(&[("DATA_FILE", path.to_str().unwrap())]);

    let body = server.get("/data/fleet/bus-7");
    let listing = server.get("/data");
    server.stop();

    assert!(body.ends_with(r#"{"seats":48,"electric":true}"#), "compact, in the file's key order: {body}");
    assert!(listing.ends_with(r#"{"partitions":["fleet"]}"#), "{listing}");
}

#[test]
fn sigterm_stops_the_server_within_five_seconds() {
    let mut server = Server::start(&[]);
    assert!(server.get("/healthz").starts_with("HTTP/1.1 200"));

    let started = Instant::now();
    let status = server.stop();

    assert!(status.success(), "exit status {status}");
    assert!(started.elapsed() < Duration::from_secs(5), "took {:?}", started.elapsed());
}

#[test]
fn healthcheck_subcommand_reports_a_live_and_a_dead_server() {
    let mut server = Server::start(&[]);
    let port = server.port.to_string();

    let live = Command::new(BIN).arg("healthcheck").env("PORT", &port).output().unwrap();
    server.stop();
    let dead = Command::new(BIN).arg("healthcheck").env("PORT", &port).output().unwrap();

    assert!(live.status.success(), "{}", String::from_utf8_lossy(&live.stderr));
    assert!(!dead.status.success());
    assert!(String::from_utf8_lossy(&dead.stderr).contains("cannot connect"));
}

#[test]
fn unknown_arguments_are_refused() {
    let output = Command::new(BIN).arg("serve-please").output().unwrap();
    assert!(!output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("usage"));
}

/// storagesvc as a child process on a free port.
struct Server {
    child: Child,
    port: u16,
}

impl Server {
    fn start(vars: &[(&str, &str)]) -> Self {
        let port = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let child = Command::new(BIN)
            .env("PORT", port.to_string())
            .env("HOST", "127.0.0.1")
            .envs(vars.iter().copied())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let server = Self { child, port };
        let deadline = Instant::now() + Duration::from_secs(10);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(Instant::now() < deadline, "server did not start");
            std::thread::sleep(Duration::from_millis(20));
        }
        server
    }

    /// A raw HTTP/1.1 GET; returns the whole response text.
    fn get(&mut self, path: &str) -> String {
        use std::io::Read;
        let mut stream = std::net::TcpStream::connect(("127.0.0.1", self.port)).unwrap();
        write!(stream, "GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").unwrap();
        let mut response = String::new();
        stream.read_to_string(&mut response).unwrap();
        response
    }

    fn stop(&mut self) -> std::process::ExitStatus {
        Command::new("kill").args(["-TERM", &self.child.id().to_string()]).status().unwrap();
        self.child.wait().unwrap()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
