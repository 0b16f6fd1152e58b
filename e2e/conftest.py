"""Shared fixtures for the assembly tests (configuration checks, socket proxy
policy, API contracts, and the end-to-end run of the shipped compose file).

These run from scripts/test.sh after the workspace tests and the image build.
"""

import json
import os
import shlex
import shutil
import socket
import subprocess
import urllib.request

import pytest
import yaml

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# Official schemas: ../shared/conformance beside the repository (CI), or fetched
# from their public homes on a user's machine.
CONFORMANCE_DIR = os.environ.get("CONFORMANCE_DIR", os.path.join(ROOT, "..", "shared", "conformance"))
SCHEMA_URLS = {
    "compose-spec.json": "https://raw.githubusercontent.com/compose-spec/compose-spec/main/schema/compose-spec.json",
    "traefik-v3.json": "https://json.schemastore.org/traefik-v3.json",
    "traefik-v3-file-provider.json": "https://json.schemastore.org/traefik-v3-file-provider.json",
}


def run(cmd, check=True, env=None, timeout=600):
    """Runs a command; on failure shows its output in the assertion."""
    result = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=timeout)
    if check and result.returncode != 0:
        raise AssertionError(f"{shlex.join(cmd)} exited {result.returncode}:\n{result.stdout}\n{result.stderr}")
    return result


def compose_command():
    """docker-compose (1.29) or `docker compose` (v2), as scripts/prereqs.sh chose."""
    configured = os.environ.get("COMPOSE")
    if configured:
        return shlex.split(configured)
    if shutil.which("docker-compose"):
        return ["docker-compose"]
    return ["docker", "compose"]


def load_yaml(relative):
    with open(os.path.join(ROOT, relative)) as f:
        return yaml.safe_load(f)


def read_env_file(relative):
    """KEY=VALUE lines of an env file, quotes stripped as compose does."""
    values = {}
    with open(os.path.join(ROOT, relative)) as f:
        for line in f:
            line = line.strip()
            if not line or line.startswith("#") or "=" not in line:
                continue
            key, value = line.split("=", 1)
            if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
                value = value[1:-1]
            values[key] = value
    return values


@pytest.fixture(scope="session")
def schema():
    """Loads an official JSON schema by file name, or skips that one check, saying why."""
    cache_dir = os.path.join(ROOT, ".cache", "conformance")

    def load(name):
        for directory in (CONFORMANCE_DIR, cache_dir):
            path = os.path.join(directory, name)
            if os.path.exists(path):
                with open(path) as f:
                    return json.load(f)
        try:
            with urllib.request.urlopen(SCHEMA_URLS[name], timeout=20) as response:
                data = response.read()
        except Exception as error:  # no network: say so, skip only this check
            pytest.skip(f"{name} is not in {CONFORMANCE_DIR} and could not be fetched from "
                        f"{SCHEMA_URLS[name]} ({error}); skipped this schema check")
        os.makedirs(cache_dir, exist_ok=True)
        with open(os.path.join(cache_dir, name), "wb") as f:
            f.write(data)
        return json.loads(data)

    return load


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


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
