"""End to end: the shipped docker-compose.yml with .env.dev, real Traefik, real
Docker, only the image names substituted (locally built images, see
scripts/build-images.sh). Everything goes through the gateway port.

The tests run in file order: they share one assembly and each leaves it as the
next expects (3 replicas serving), except the last, which takes it down.
"""

import concurrent.futures
import os
import threading
import time
from urllib.parse import urljoin

import pytest
import requests

from conftest import ROOT, compose_command, read_env_file, run

ENV_FILE = os.path.join(ROOT, ".env.dev")
DEV = read_env_file(".env.dev")
PROJECT = DEV["COMPOSE_PROJECT_NAME"]
GATEWAY = f"http://127.0.0.1:{DEV['GATEWAY_PORT']}"
DEV_USER = ("dev", "dev-password")  # documented in .env.dev and the README
RECORD = "/data/orders/ord_20240"


def compose(*args, check=True, env=None):
    return run(compose_command() + ["--env-file", ENV_FILE, "--project-directory", ROOT,
                                    "-f", os.path.join(ROOT, "docker-compose.yml"), *args],
               check=check, env=env)


def project_containers(service=None, all_states=True):
    args = ["docker", "ps", "--quiet", "--filter", f"label=com.docker.compose.project={PROJECT}"]
    if service:
        args += ["--filter", f"label=com.docker.compose.service={service}"]
    if all_states:
        args.append("--all")
    return run(args).stdout.split()


def eventually(what, check, timeout=30, interval=0.2):
    deadline = time.time() + timeout
    last = None
    while time.time() < deadline:
        try:
            last = check()
            if last:
                return last
        except requests.RequestException as error:
            last = error
        time.sleep(interval)
    pytest.fail(f"timed out after {timeout}s waiting for {what}; last: {last!r}")


def storage_status():
    return requests.get(f"{GATEWAY}/status", params={"appName": "storagesvc"}, timeout=5).json()


def serving():
    return requests.get(f"{GATEWAY}{RECORD}", timeout=5).status_code == 200


def answer_with(status, path=RECORD):
    """The response to GET path once it has this status (a Response is falsy
    for 4xx/5xx, so it is wrapped for `eventually`)."""
    response = requests.get(f"{GATEWAY}{path}", timeout=5)
    return [response] if response.status_code == status else None


def scale(replicas):
    compose("up", "--detach", "--no-build", "--scale", f"storagesvc={replicas}")


@pytest.fixture(scope="module")
def assembly(images):
    env = {**os.environ, **images}
    if project_containers():
        pytest.fail(f"a `{PROJECT}` assembly is already running; stop it first: "
                    f"docker-compose --env-file .env.dev down")
    os.environ.update(images)  # every compose call below uses the local images
    try:
        compose("up", "--detach", "--no-build", env=env)
        eventually("3 healthy storage replicas through the gateway",
                   lambda: storage_status()["summary"] == {"total": 3, "running": 3, "healthy": 3}, timeout=90)
        eventually("/data served through the gateway", serving, timeout=60)
        yield GATEWAY
    finally:
        logs = compose("logs", "--no-color", "--tail", "30", check=False)
        print(logs.stdout[-8000:])
        compose("down", "--volumes", "--remove-orphans", check=False)


def test_data_rotates_over_the_three_replicas_with_identical_records(assembly):
    session = requests.Session()
    responses = [session.get(f"{assembly}{RECORD}", timeout=5) for _ in range(30)]

    assert all(r.status_code == 200 for r in responses)
    assert len({r.headers["X-Served-By"] for r in responses}) == 3
    assert len({r.content for r in responses}) == 1, "every replica serves the same record"
    assert len({r.headers["ETag"] for r in responses}) == 1
    listing = session.get(f"{assembly}/data", timeout=5)
    assert listing.json() == {"partitions": ["customers", "orders", "products"]}


def test_status_lists_three_running_healthy_storage_replicas(assembly):
    status = requests.get(f"{assembly}/status", params={"appName": "storagesvc"}, timeout=5).json()

    assert status["docker"]["connected"] is True
    assert status["summary"] == {"total": 3, "running": 3, "healthy": 3}
    for service in status["services"]:
        assert service["state"] == "running" and service["health"] == "healthy"
        assert len(service["id"]) == 12
    everything = requests.get(f"{assembly}/status", timeout=5).json()
    apps = {s["appName"] for s in everything["services"]}
    assert {"storagesvc", "statussvc", "gateway", "socket-proxy"} <= apps


def test_unknown_paths_and_records_are_problem_json_through_the_gateway(assembly):
    missing = requests.get(f"{assembly}/data/orders/nope", timeout=5)
    assert missing.status_code == 404
    assert missing.headers["Content-Type"] == "application/problem+json"
    bad = requests.get(f"{assembly}/status", params={"bogus": "1"}, timeout=5)
    assert bad.status_code == 400
    assert bad.headers["Content-Type"] == "application/problem+json"


@pytest.mark.parametrize("service,operation", [("storagesvc", "/data"), ("statussvc", "/status")])
def test_swagger_ui_loads_behind_the_prefix_and_its_document_resolves(assembly, service, operation):
    page_url = f"{assembly}/{service}/swagger/"
    page = requests.get(page_url, timeout=5)
    assert page.status_code == 200 and "text/html" in page.headers["Content-Type"]
    initializer = requests.get(urljoin(page_url, "swagger-initializer.js"), timeout=5).text
    assert '"../openapi.json"' in initializer

    document_url = urljoin(page_url, "../openapi.json")
    document = requests.get(document_url, timeout=5)
    assert document_url == f"{assembly}/{service}/openapi.json"
    assert document.status_code == 200
    doc = document.json()
    assert doc["openapi"].startswith("3.1")
    server = doc["servers"][0]["url"]
    assert server == f"/{service}"
    # "Try it out" goes to server + path, through the gateway.
    assert requests.get(f"{assembly}{server}{operation}", timeout=5).status_code == 200


def test_dashboard_needs_the_development_credentials(assembly):
    eventually("the dashboard router", lambda: requests.get(f"{assembly}/dashboard/", timeout=5).status_code == 401)

    assert requests.get(f"{assembly}/api/overview", timeout=5).status_code == 401
    assert requests.get(f"{assembly}/dashboard/", auth=("dev", "wrong"), timeout=5).status_code == 401
    dashboard = requests.get(f"{assembly}/dashboard/", auth=DEV_USER, timeout=5)
    assert dashboard.status_code == 200 and "text/html" in dashboard.headers["Content-Type"]
    assert requests.get(f"{assembly}/api/overview", auth=DEV_USER, timeout=5).status_code == 200


def test_killing_a_replica_under_load_fails_no_request(assembly):
    victim = project_containers("storagesvc", all_states=False)[0]
    victim_name = run(["docker", "inspect", "--format", "{{.Name}}", victim]).stdout.strip().lstrip("/")
    stop = threading.Event()
    failures, counts = [], []

    def load():
        session, n = requests.Session(), 0
        while not stop.is_set():
            try:
                response = session.get(f"{assembly}{RECORD}", timeout=10)
                if response.status_code != 200:
                    failures.append(f"{response.status_code}: {response.text[:200]}")
            except requests.RequestException as error:
                failures.append(repr(error))
            n += 1
        counts.append(n)

    with concurrent.futures.ThreadPoolExecutor(8) as pool:
        for _ in range(8):
            pool.submit(load)
        time.sleep(1.5)
        run(["docker", "kill", victim])
        killed_at = time.time()
        time.sleep(5)
        stop.set()

    assert sum(counts) > 200, f"the load ran ({sum(counts)} requests)"
    assert not failures, f"{len(failures)} of {sum(counts)} requests failed: {failures[:5]}"
    status = eventually("the killed replica shown as exited", lambda: next(
        (s for s in storage_status()["services"] if s["name"] == victim_name and s["state"] == "exited"), None))
    assert status["exitCode"] == 137
    assert time.time() - killed_at < 30
    scale(3)
    eventually("3 healthy replicas again", lambda: storage_status()["summary"]["healthy"] == 3)


def assert_no_replica_problem(response):
    assert response.status_code == 503
    assert response.headers["Content-Type"] == "application/problem+json"
    assert int(response.headers["Retry-After"]) > 0
    body = response.json()
    assert body["status"] == 503
    assert body["type"] == "urn:statussvc:problem:no-replica-available"
    assert body["appName"] == "storagesvc"
    return body


def test_scaled_to_zero_data_is_503_problem_json_with_retry_after(assembly):
    scale(0)

    [response] = eventually("503 from the fallback", lambda: answer_with(503))

    body = assert_no_replica_problem(response)
    assert "none exists" in body["detail"]
    assert_no_replica_problem(requests.get(f"{assembly}/data", timeout=5))
    assert_no_replica_problem(requests.post(f"{assembly}/data", data="{}", timeout=5))
    assert requests.get(f"{assembly}/status", timeout=5).status_code == 200, "status still served"


def test_scaling_back_to_three_serves_again_within_seconds(assembly):
    started = time.time()
    scale(3)

    eventually("/data served again", serving, timeout=20, interval=0.1)

    elapsed = time.time() - started
    assert elapsed < 20
    print(f"serving again {elapsed:.1f}s after `up --scale storagesvc=3` began")
    eventually("3 healthy replicas", lambda: storage_status()["summary"]["healthy"] == 3)


def test_all_replicas_stopped_is_the_same_503(assembly):
    replicas = project_containers("storagesvc", all_states=False)
    assert len(replicas) == 3
    run(["docker", "stop", "--time", "5", *replicas])

    [response] = eventually("503 from the fallback", lambda: answer_with(503))

    body = assert_no_replica_problem(response)
    assert "3 known, 3 exited" in body["detail"], body["detail"]
    assert body["replicas"] == {"total": 3, "running": 0, "healthy": 0}
    scale(3)
    eventually("/data served again", serving, timeout=30)


def test_down_leaves_no_container_network_or_volume(assembly):
    compose("down", "--volumes", "--remove-orphans")

    assert project_containers() == []
    networks = run(["docker", "network", "ls", "--quiet", "--filter", f"label=com.docker.compose.project={PROJECT}"])
    assert networks.stdout.split() == []
    volumes = run(["docker", "volume", "ls", "--quiet", "--filter", f"label=com.docker.compose.project={PROJECT}"])
    assert volumes.stdout.split() == []
