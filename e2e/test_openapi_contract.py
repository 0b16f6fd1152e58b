"""schemathesis against each service's development OpenAPI document: no 5xx
and no response that breaks the document (status codes, content types,
headers, bodies), plus the negative-data, method and Allow checks.

The binaries are the static release builds that go into the images. statussvc
runs against the real Docker daemon.

Two documented exceptions, both narrower runs rather than skipped checks:
- `/unavailable/{appName}` exists to answer 502/503/504; it gets every check
  except `not_a_server_error`.
- `/status/stream` never ends (Server-Sent Events): fewer, shorter examples.
"""

import os
import subprocess

import pytest

from harness import ROOT
from harness.proc import free_port, run, stop, wait_http


def binary(name):
    triple = run(["rustc", "-vV"]).stdout.split("host: ")[1].split()[0]
    path = os.path.join(ROOT, "target", triple, "release", name)
    if not os.path.exists(path):
        pytest.fail(f"{path} is missing: run scripts/build-images.sh first (scripts/test.sh does)")
    return path


@pytest.fixture
def service(request):
    name = request.param
    port = free_port()
    env = {**os.environ, "PORT": str(port), "HOST": "127.0.0.1", "APP_ENV": "development", "RUST_LOG": "warn"}
    proc = subprocess.Popen([binary(name)], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_http(f"{base}/readyz", process=proc)
    except AssertionError as error:
        stop(proc)
        pytest.fail(f"{name} did not become ready ({error}): {proc.stderr.read().decode()}")
    yield base
    stop(proc)


def schemathesis(base, *args):
    cmd = [
        "schemathesis",
        "run",
        f"{base}/openapi.json",
        "--checks",
        "all",
        "--max-examples",
        os.environ.get("SCHEMATHESIS_MAX_EXAMPLES", "40"),
        *args,
    ]
    result = subprocess.run(cmd, capture_output=True, text=True, timeout=600, cwd=ROOT)
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-2000:]
    assert "passed" in result.stdout


@pytest.mark.parametrize("service", ["storagesvc"], indirect=True)
def test_storagesvc_conforms_to_its_openapi_document(service):
    schemathesis(service)


@pytest.mark.parametrize("service", ["statussvc"], indirect=True)
def test_statussvc_conforms_to_its_openapi_document(service):
    schemathesis(service, "--exclude-path", "/unavailable/{appName}", "--exclude-path", "/status/stream")


@pytest.mark.parametrize("service", ["statussvc"], indirect=True)
def test_statussvc_no_replica_answers_conform_to_the_document(service):
    schemathesis(service, "--include-path", "/unavailable/{appName}", "--exclude-checks", "not_a_server_error")


@pytest.mark.parametrize("service", ["statussvc"], indirect=True)
def test_statussvc_event_stream_conforms_to_the_document(service):
    schemathesis(
        service,
        "--include-path",
        "/status/stream",
        "--phases",
        "examples,fuzzing",
        "--max-examples",
        "5",
        "--request-timeout",
        "3",
    )
