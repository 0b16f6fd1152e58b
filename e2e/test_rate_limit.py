"""Per-client rate limits on /data, end to end: an assembly with a low limit,
one client bursting over it from the host and a second client, from an address
of its own, unaffected.

Every client on the host reaches the published port through Docker's userland
proxy and so arrives from one address; the second client runs in a network
namespace of its own, attached to the gateway's public (edge) network, and
talks to the gateway's container address directly.
"""

import json
import os
import subprocess
import sys
import time

import pytest
import requests

from conftest import RECORD, running, serving
from harness.compose import Assembly
from harness.docker import docker
from harness.proc import eventually, free_port, run

LIMITS = {"RATE_LIMIT_AVERAGE": "5", "RATE_LIMIT_BURST": "5", "INFLIGHT_LIMIT": "50"}


@pytest.fixture(scope="module")
def limited(images):
    project = Assembly(
        ".env.dev",
        overrides={
            **images,
            **LIMITS,
            "COMPOSE_PROJECT_NAME": "storage-assembly-ratelimit",
            "GATEWAY_PORT": str(free_port()),
            "STORAGE_REPLICAS": "1",
        },
    )
    with running(project, log_tail=4000):
        eventually("/data through the limited gateway", lambda: serving(project.gateway), timeout=90)
        yield project


@pytest.fixture
def second_client(limited):
    """Runs a Python snippet from an address of its own on the edge network;
    yields (run(code) -> stdout, the gateway's address on that network)."""
    network = f"{limited.project}_edge"
    info = json.loads(docker("network", "inspect", network))[0]
    bridge = "br-" + info["Id"][:12]
    subnet = info["IPAM"]["Config"][0]["Subnet"]  # e.g. 172.23.0.0/16
    prefix = subnet.split("/")[1]
    octets = subnet.split("/")[0].split(".")
    address = ".".join(octets[:3] + ["250"])
    [gateway_cid] = limited.containers("traefik")
    gateway_ip = docker(
        "inspect", "--format", f'{{{{(index .NetworkSettings.Networks "{network}").IPAddress}}}}', gateway_cid
    )
    ns, host_end, ns_end = f"e2e-rl-{os.getpid()}", f"verl{os.getpid() % 100000}", f"verl{os.getpid() % 100000}n"
    try:
        run(["ip", "netns", "add", ns])
        run(["ip", "link", "add", host_end, "type", "veth", "peer", "name", ns_end])
        run(["ip", "link", "set", ns_end, "netns", ns])
        run(["ip", "link", "set", host_end, "master", bridge, "up"])
        run(["ip", "netns", "exec", ns, "ip", "addr", "add", f"{address}/{prefix}", "dev", ns_end])
        run(["ip", "netns", "exec", ns, "ip", "link", "set", ns_end, "up"])
        run(["ip", "netns", "exec", ns, "ip", "link", "set", "lo", "up"])

        def in_namespace(code):
            result = subprocess.run(
                ["ip", "netns", "exec", ns, sys.executable, "-c", code], capture_output=True, text=True, timeout=60
            )
            assert result.returncode == 0, result.stderr
            return result.stdout

        yield in_namespace, gateway_ip
    finally:
        subprocess.run(["ip", "link", "del", host_end], capture_output=True)
        subprocess.run(["ip", "netns", "del", ns], capture_output=True)


def burst(url, n):
    session = requests.Session()
    return [session.get(url, timeout=5) for _ in range(n)]


def test_over_the_limit_is_a_429_problem_with_retry_after(limited):
    time.sleep(2)  # a full budget
    responses = burst(f"{limited.gateway}{RECORD}", 30)

    statuses = [r.status_code for r in responses]
    assert statuses[:5] == [200] * 5, f"the burst allowance passes: {statuses}"
    limited_ones = [r for r in responses if r.status_code == 429]
    assert limited_ones, f"30 requests at once over a limit of 5/s: {statuses}"
    assert set(statuses) <= {200, 429}, statuses
    response = limited_ones[0]
    assert response.headers["Content-Type"] == "application/problem+json"
    assert response.headers["Retry-After"] == "1"
    body = response.json()
    assert body["status"] == 429 and body["type"] == "urn:statussvc:problem:rate-limited"
    time.sleep(1.5)
    assert requests.get(f"{limited.gateway}{RECORD}", timeout=5).status_code == 200, "allowed again after Retry-After"


def test_a_second_client_is_not_limited_by_the_first(limited, second_client):
    in_namespace, gateway_ip = second_client
    time.sleep(2)
    # The host's client uses up its budget, and the second client then sends
    # its own burst allowance: every one of its requests is served.
    host = burst(f"{limited.gateway}{RECORD}", 30)
    assert 429 in [r.status_code for r in host]
    out = in_namespace(
        "import urllib.request\n"
        f"for _ in range(5): print(urllib.request.urlopen('http://{gateway_ip}:8081{RECORD}', timeout=5).status)\n"
    )
    assert out.split() == ["200"] * 5, f"the second client was limited too: {out}"
