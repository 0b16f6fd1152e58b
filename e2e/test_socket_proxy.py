"""The read-only Docker socket proxy, running for real: the image the tests use
(scripts/build-images.sh) with the shipped Caddyfile, hardened as in compose.
GETs on containers, events, version and ping pass; anything else is a 403."""

import json
import os
import time
import urllib.error
import urllib.request

import pytest

from harness import ROOT
from harness.proc import free_port, run, wait_http


def start_proxy(image, name):
    """The proxy as compose runs it, published on a free loopback port; its URL."""
    port = free_port()
    run(
        [
            "docker",
            "run",
            "--detach",
            "--name",
            name,
            "--read-only",
            "--cap-drop",
            "ALL",
            "--cap-add",
            "NET_BIND_SERVICE",
            "--security-opt",
            "no-new-privileges:true",
            "--user",
            "0:0",
            "--tmpfs",
            "/data",
            "--tmpfs",
            "/config",
            "--volume",
            "/var/run/docker.sock:/var/run/docker.sock:ro",
            "--volume",
            f"{os.path.join(ROOT, 'socket-proxy', 'Caddyfile')}:/etc/caddy/Caddyfile:ro",
            "--publish",
            f"127.0.0.1:{port}:2375",
            image,
        ]
    )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_http(f"{base}/_ping")
    except AssertionError:
        logs = run(["docker", "logs", name], check=False)
        run(["docker", "rm", "--force", name], check=False)
        pytest.fail(f"socket proxy did not start:\n{logs.stdout}{logs.stderr}")
    return base


@pytest.fixture(scope="module")
def proxy(images):
    name = f"socket-proxy-policy-test-{os.getpid()}"
    try:
        yield start_proxy(images["SOCKET_PROXY_IMAGE"], name)
    finally:
        run(["docker", "rm", "--force", name], check=False)


def test_stops_cleanly_while_event_streams_are_open(images):
    """`docker stop` while clients hold /events streams (Traefik and statussvc
    always do): the proxy ends them and exits by itself (exit 0), instead of
    waiting for them until Docker's SIGKILL (exit 137)."""
    name = f"socket-proxy-stop-test-{os.getpid()}"
    try:
        base = start_proxy(images["SOCKET_PROXY_IMAGE"], name)
        streams = [urllib.request.urlopen(f"{base}/events", timeout=30) for _ in range(2)]
        started = time.monotonic()
        run(["docker", "stop", "--time", "10", name])
        took = time.monotonic() - started
        exit_code = run(["docker", "inspect", "--format", "{{.State.ExitCode}}", name]).stdout.strip()
        print(f"docker stop took {took:.2f} s with 2 open event streams; exit code {exit_code}")
        assert exit_code == "0", f"the proxy was killed, not stopped (exit {exit_code}, {took:.1f} s)"
        for stream in streams:
            stream.close()
    finally:
        run(["docker", "rm", "--force", name], check=False)


def status(url, method="GET", body=None):
    request = urllib.request.Request(url, method=method, data=body)
    if body is not None:
        request.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


@pytest.mark.parametrize(
    "path",
    [
        "/_ping",
        "/version",
        "/v1.41/version",
        "/containers/json?all=1",
        "/v1.41/containers/json",
        f"/events?since=0&until={int(time.time())}&filters=%7B%22type%22%3A%5B%22container%22%5D%7D",
    ],
)
def test_reads_are_allowed(proxy, path):
    code, _ = status(proxy + path)
    assert code == 200, path


def test_inspecting_a_container_is_allowed(proxy):
    code, body = status(proxy + "/containers/json?all=1")
    assert code == 200
    first = json.loads(body)[0]["Id"]
    assert status(f"{proxy}/v1.41/containers/{first}/json")[0] == 200


@pytest.mark.parametrize(
    "method,path",
    [
        ("POST", "/v1.41/containers/create"),
        ("POST", "/containers/anything/kill"),
        ("POST", "/containers/anything/stop"),
        ("DELETE", "/containers/anything"),
        ("PUT", "/containers/anything/archive"),
        ("POST", "/_ping"),
        ("GET", "/info"),
        ("GET", "/images/json"),
        ("GET", "/v1.41/containers/anything/logs"),
        ("GET", "/containers/anything/top"),
        ("GET", "/networks"),
        ("GET", "/v1.41/containers/json/../../info"),
    ],
)
def test_everything_else_is_forbidden(proxy, method, path):
    code, body = status(proxy + path, method=method, body=b"{}" if method in ("POST", "PUT") else None)
    assert code == 403, f"{method} {path} -> {code}"
    assert b"forbidden" in body


def test_the_docker_cli_can_list_but_not_run(proxy, images):
    host = proxy.replace("http://", "tcp://")
    assert run(["docker", "-H", host, "ps", "--all", "--quiet"], check=False).returncode == 0
    attempt = run(["docker", "-H", host, "run", "--rm", images["SOCKET_PROXY_IMAGE"], "version"], check=False)
    assert attempt.returncode != 0
    assert "forbidden" in attempt.stderr
