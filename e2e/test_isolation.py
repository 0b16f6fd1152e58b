"""Two assemblies on one host, under two project names and two gateway ports
(say staging and production): each gateway routes only to its own project's
containers, and each statussvc reports only its own replicas.

Before the gateway's provider constraint and statussvc's STATUS_SCOPE, the
two Traefik instances merged the projects' same-named routers and services:
every second /status through either gateway was a plain-text 504, and
/status listed six storage replicas.
"""

import json
import os
import tempfile
import threading

import pytest
import requests

from conftest import RECORD, running, serving, storage_status
from harness.compose import Assembly
from harness.proc import eventually, free_port

THREE_HEALTHY = {"total": 3, "running": 3, "healthy": 3}


# The second assembly serves a user's dataset (STORAGE_DATA_FILE), as a
# staging assembly with its own data would.
STAGING_DATA = {"staging": {"s1": {"id": "s1", "note": "only in the second assembly"}}}


@pytest.fixture(scope="module")
def other(images, assembly):
    """A second assembly of the same compose file beside the first (which
    the tests also have serving), down at the end, also when a test failed."""
    data = tempfile.NamedTemporaryFile("w", suffix=".json", delete=False)
    json.dump(STAGING_DATA, data)
    data.close()
    os.chmod(data.name, 0o644)  # the replicas run as uid 65532
    second = Assembly(
        ".env.dev",
        overrides={
            **images,
            "COMPOSE_PROJECT_NAME": "storage-assembly-isolation",
            "GATEWAY_PORT": str(free_port()),
            "STORAGE_DATA_FILE": data.name,
        },
    )
    try:
        with running(second, log_tail=4000):
            eventually(
                "the second assembly's 3 healthy replicas",
                lambda: storage_status(second.gateway)["summary"] == THREE_HEALTHY,
                timeout=90,
            )
            eventually(
                "/data through the second gateway",
                lambda: requests.get(f"{second.gateway}/data", timeout=5).status_code == 200,
                timeout=60,
            )
            yield second
    finally:
        os.unlink(data.name)


def test_each_serves_its_own_dataset(assembly, gateway, other):
    assert requests.get(f"{other.gateway}/data", timeout=5).json() == {"partitions": ["staging"]}
    assert requests.get(f"{other.gateway}/data/staging/s1", timeout=5).json() == STAGING_DATA["staging"]["s1"]
    assert requests.get(f"{other.gateway}{RECORD}", timeout=5).status_code == 404
    assert serving(gateway), "the first still serves the repository's dataset"


def listed(gateway):
    return sorted(replica["id"] for replica in storage_status(gateway)["services"])


def test_each_status_lists_exactly_its_own_replicas(assembly, gateway, other):
    for each in (assembly, other):
        own = sorted(cid[:12] for cid in each.containers("storagesvc"))
        assert len(own) == 3
        assert listed(each.gateway) == own, f"{each.project} lists only its own replicas"
        projects = {r["labels"]["com.docker.compose.project"] for r in storage_status(each.gateway)["services"]}
        assert projects == {each.project}


def test_no_request_through_either_gateway_fails(assembly, gateway, other):
    failures = []
    for _ in range(50):
        for url in (gateway, other.gateway):
            for path in ("/status", "/status?appName=storagesvc", RECORD if url == gateway else "/data/staging/s1"):
                response = requests.get(f"{url}{path}", timeout=5)
                if response.status_code != 200:
                    failures.append((url, path, response.status_code, response.text[:200]))
    assert not failures, f"{len(failures)} of 300 requests failed: {failures[:5]}"


def test_one_scaled_to_zero_leaves_the_other_serving(assembly, gateway, other):
    failures, stop = [], threading.Event()

    def load():
        session = requests.Session()
        while not stop.is_set():
            response = session.get(f"{gateway}{RECORD}", timeout=5)
            if response.status_code != 200:
                failures.append((response.status_code, response.text[:200]))

    client = threading.Thread(target=load)
    client.start()
    try:
        other.scale(0)
        # In a list: a Response with a 4xx/5xx status is falsy.
        [response] = eventually(
            "the second gateway's no-replica answer",
            lambda: (r := requests.get(f"{other.gateway}/data/staging/s1", timeout=5)).status_code == 503 and [r],
        )
    finally:
        stop.set()
        client.join()

    body = response.json()
    assert response.headers["Content-Type"] == "application/problem+json"
    assert body["replicas"] == {"total": 0, "running": 0, "healthy": 0}, "it counts its own replicas only"
    assert "none exists" in body["detail"]
    assert not failures, f"the first assembly failed requests while the second scaled to 0: {failures[:5]}"
    assert storage_status(gateway)["summary"] == THREE_HEALTHY
