"""End to end: the shipped docker-compose.yml with .env.dev, real Traefik, real
Docker, only the image names substituted (locally built images, see
scripts/build-images.sh). Everything goes through the gateway port.

One assembly serves the whole run (conftest.py); each test starts from "3
replicas serving" (the `gateway` fixture restores it), so any test passes when
run alone (`pytest e2e -k …`) and in any order.
"""

import concurrent.futures
import threading
import time
from urllib.parse import urljoin

import pytest
import requests

from conftest import RECORD, serving, storage_status
from harness.docker import docker
from harness.proc import eventually

DEV_USER = ("dev", "dev-password")  # documented in .env.dev and the README


def answer_with(gateway, status, path=RECORD):
    """The response to GET path once it has this status (a Response is falsy
    for 4xx/5xx, so it is wrapped for `eventually`)."""
    response = requests.get(f"{gateway}{path}", timeout=5)
    return [response] if response.status_code == status else None


def test_data_rotates_over_the_three_replicas_with_identical_records(gateway):
    session = requests.Session()
    responses = [session.get(f"{gateway}{RECORD}", timeout=5) for _ in range(30)]

    assert all(r.status_code == 200 for r in responses)
    assert len({r.headers["X-Served-By"] for r in responses}) == 3
    assert len({r.content for r in responses}) == 1, "every replica serves the same record"
    assert len({r.headers["ETag"] for r in responses}) == 1
    listing = session.get(f"{gateway}/data", timeout=5)
    assert listing.json() == {"partitions": ["customers", "orders", "products"]}


def test_status_lists_three_running_healthy_storage_replicas(gateway):
    status = requests.get(f"{gateway}/status", params={"appName": "storagesvc"}, timeout=5).json()

    assert status["docker"]["connected"] is True
    assert status["summary"] == {"total": 3, "running": 3, "healthy": 3}
    for service in status["services"]:
        assert service["state"] == "running" and service["health"] == "healthy"
        assert len(service["id"]) == 12
    everything = requests.get(f"{gateway}/status", timeout=5).json()
    apps = {s["appName"] for s in everything["services"]}
    assert {"storagesvc", "statussvc", "gateway", "socket-proxy"} <= apps


def test_unknown_paths_and_records_are_problem_json_through_the_gateway(gateway):
    missing = requests.get(f"{gateway}/data/orders/nope", timeout=5)
    assert missing.status_code == 404
    assert missing.headers["Content-Type"] == "application/problem+json"
    bad = requests.get(f"{gateway}/status", params={"bogus": "1"}, timeout=5)
    assert bad.status_code == 400
    assert bad.headers["Content-Type"] == "application/problem+json"


@pytest.mark.parametrize("service,operation", [("storagesvc", "/data"), ("statussvc", "/status")])
def test_swagger_ui_loads_behind_the_prefix_and_its_document_resolves(gateway, service, operation):
    page_url = f"{gateway}/{service}/swagger/"
    page = requests.get(page_url, timeout=5)
    assert page.status_code == 200 and "text/html" in page.headers["Content-Type"]
    initializer = requests.get(urljoin(page_url, "swagger-initializer.js"), timeout=5).text
    assert '"../openapi.json"' in initializer

    document_url = urljoin(page_url, "../openapi.json")
    document = requests.get(document_url, timeout=5)
    assert document_url == f"{gateway}/{service}/openapi.json"
    assert document.status_code == 200
    doc = document.json()
    assert doc["openapi"].startswith("3.1")
    server = doc["servers"][0]["url"]
    assert server == f"/{service}"
    # "Try it out" goes to server + path, through the gateway.
    assert requests.get(f"{gateway}{server}{operation}", timeout=5).status_code == 200


def test_dashboard_needs_the_development_credentials(gateway):
    eventually("the dashboard router", lambda: requests.get(f"{gateway}/dashboard/", timeout=5).status_code == 401)

    assert requests.get(f"{gateway}/api/overview", timeout=5).status_code == 401
    assert requests.get(f"{gateway}/dashboard/", auth=("dev", "wrong"), timeout=5).status_code == 401
    dashboard = requests.get(f"{gateway}/dashboard/", auth=DEV_USER, timeout=5)
    assert dashboard.status_code == 200 and "text/html" in dashboard.headers["Content-Type"]
    assert requests.get(f"{gateway}/api/overview", auth=DEV_USER, timeout=5).status_code == 200


def test_killing_a_replica_under_load_fails_no_request(assembly, gateway):
    victim = assembly.containers("storagesvc", all_states=False)[0]
    victim_name = docker("inspect", "--format", "{{.Name}}", victim).lstrip("/")
    stop = threading.Event()
    failures, counts = [], []

    def load():
        session, n = requests.Session(), 0
        while not stop.is_set():
            try:
                response = session.get(f"{gateway}{RECORD}", timeout=10)
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
        docker("kill", victim)
        killed_at = time.time()
        time.sleep(5)
        stop.set()

    assert sum(counts) > 200, f"the load ran ({sum(counts)} requests)"
    assert not failures, f"{len(failures)} of {sum(counts)} requests failed: {failures[:5]}"
    status = eventually(
        "the killed replica shown as exited",
        lambda: next(
            (s for s in storage_status(gateway)["services"] if s["name"] == victim_name and s["state"] == "exited"),
            None,
        ),
    )
    assert status["exitCode"] == 137
    assert time.time() - killed_at < 30


def assert_no_replica_problem(response):
    assert response.status_code == 503
    assert response.headers["Content-Type"] == "application/problem+json"
    assert int(response.headers["Retry-After"]) > 0
    body = response.json()
    assert body["status"] == 503
    assert body["type"] == "urn:statussvc:problem:no-replica-available"
    assert body["appName"] == "storagesvc"
    return body


def test_scaled_to_zero_data_is_503_problem_json_with_retry_after(assembly, gateway):
    assembly.scale(0)

    [response] = eventually("503 from the fallback", lambda: answer_with(gateway, 503))

    body = assert_no_replica_problem(response)
    assert "none exists" in body["detail"]
    assert_no_replica_problem(requests.get(f"{gateway}/data", timeout=5))
    assert_no_replica_problem(requests.post(f"{gateway}/data", data="{}", timeout=5))
    assert requests.get(f"{gateway}/status", timeout=5).status_code == 200, "status still served"


def test_scaling_back_from_zero_serves_again_within_seconds(assembly, gateway):
    assembly.scale(0)
    eventually("503 from the fallback", lambda: answer_with(gateway, 503))
    started = time.time()

    assembly.scale(3)
    eventually("/data served again", lambda: serving(gateway), timeout=20, interval=0.1)

    elapsed = time.time() - started
    assert elapsed < 20
    print(f"serving again {elapsed:.1f}s after `up --scale storagesvc=3` began")


def test_all_replicas_stopped_is_the_same_503(assembly, gateway):
    replicas = assembly.containers("storagesvc", all_states=False)
    assert len(replicas) == 3
    docker("stop", "--time", "5", *replicas)

    [response] = eventually("503 from the fallback", lambda: answer_with(gateway, 503))

    body = assert_no_replica_problem(response)
    assert "3 known, 3 exited" in body["detail"], body["detail"]
    assert body["replicas"] == {"total": 3, "running": 0, "healthy": 0}


def test_down_leaves_no_container_network_or_volume(assembly, gateway):
    assembly.down()

    assert assembly.containers() == []
    label = f"label=com.docker.compose.project={assembly.project}"
    assert docker("network", "ls", "--quiet", "--filter", label) == ""
    assert docker("volume", "ls", "--quiet", "--filter", label) == ""
