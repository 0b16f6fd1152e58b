"""Shared fixtures for the assembly tests (configuration checks, socket proxy
policy, API contracts, and the end-to-end run of the shipped compose file).

These run from scripts/test.sh after the workspace tests and the image build.
The helpers themselves live in harness/ (shared with bench/).
"""

import contextlib
import json
import os
import sys
import urllib.request

import pytest
import requests

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from harness import ROOT, schemas
from harness.compose import Assembly
from harness.proc import eventually

RECORD = "/data/orders/ord_20240"

# Where each official schema is published, for a user's machine without
# ../shared/conformance (CI insists on that directory).
SCHEMA_URLS = {
    "compose-spec.json": "https://raw.githubusercontent.com/compose-spec/compose-spec/main/schema/compose-spec.json",
    "traefik-v3.json": "https://json.schemastore.org/traefik-v3.json",
    "traefik-v3-file-provider.json": "https://json.schemastore.org/traefik-v3-file-provider.json",
}


@pytest.fixture(scope="session")
def schema():
    """Loads an official JSON schema by file name, or skips that one check, saying why."""
    cache_dir = os.path.join(ROOT, ".cache", "conformance")

    def load(name):
        for directory in (schemas.CONFORMANCE_DIR, cache_dir):
            if os.path.exists(os.path.join(directory, name)):
                return schemas.load(name, directory)
        try:
            with urllib.request.urlopen(SCHEMA_URLS[name], timeout=20) as response:
                data = response.read()
        except Exception as error:  # no network: say so, skip only this check
            pytest.skip(
                f"{name} is not in {schemas.CONFORMANCE_DIR} and could not be fetched from "
                f"{SCHEMA_URLS[name]} ({error}); skipped this schema check"
            )
        os.makedirs(cache_dir, exist_ok=True)
        with open(os.path.join(cache_dir, name), "wb") as f:
            f.write(data)
        return json.loads(data)

    return load


@pytest.fixture(scope="session")
def file_provider_schema(schema):
    """Traefik's official file-provider schema plus the 3.7 additions (harness/schemas.py)."""
    return schemas.file_provider(schema("traefik-v3-file-provider.json"))


@pytest.fixture(scope="session")
def images():
    """The locally built images (scripts/build-images.sh writes target/images.env)."""
    path = os.path.join(ROOT, "target", "images.env")
    if not os.path.exists(path):
        pytest.fail("target/images.env is missing: run scripts/build-images.sh first (scripts/test.sh does)")
    values = {}
    with open(path) as f:
        for line in f:
            key, _, value = line.strip().partition("=")
            if key:
                values[key] = value
    return values


def storage_status(gateway):
    return requests.get(f"{gateway}/status", params={"appName": "storagesvc"}, timeout=5).json()


def serving(gateway):
    return requests.get(f"{gateway}{RECORD}", timeout=5).status_code == 200


@contextlib.contextmanager
def running(project, log_tail=8000):
    """`project` (an Assembly) up for the block, and down with its networks
    afterwards, also when a test failed; its last logs are printed for the
    failure report. Refuses to touch a project of that name already running."""
    if project.containers():
        pytest.fail(f"a `{project.project}` assembly is already running; bring it down first (compose down)")
    try:
        project.up()
        yield project
    finally:
        print(project.logs()[-log_tail:])
        project.down(check=False)


@pytest.fixture(scope="session")
def assembly(images):
    """The shipped compose file with .env.dev (and the local images), up for
    the tests that need it."""
    with running(Assembly(".env.dev", overrides=images)) as dev:
        yield dev


@pytest.fixture
def gateway(assembly):
    """The gateway's URL, with 3 healthy storage replicas serving through it
    (restored if an earlier test changed that, or brought the assembly down)."""
    assembly.scale(3)
    eventually(
        "3 healthy storage replicas through the gateway",
        lambda: storage_status(assembly.gateway)["summary"] == {"total": 3, "running": 3, "healthy": 3},
        timeout=90,
    )
    eventually("/data served through the gateway", lambda: serving(assembly.gateway), timeout=60)
    return assembly.gateway
