"""The official JSON schemas configuration is validated against, from
$CONFORMANCE_DIR (default: ../shared/conformance beside the repository)."""

import copy
import json
import os

from harness import ROOT

CONFORMANCE_DIR = os.environ.get("CONFORMANCE_DIR", os.path.join(ROOT, "..", "shared", "conformance"))

# Traefik 3.7 options that the published file-provider schema predates, and that
# the gateway needs (a replica killed mid-request must cost no client a failed
# request). They are added to the official schema, typed, rather than ignored:
# everything else must match the schema as published.
TRAEFIK_37_ADDITIONS = {
    # https://doc.traefik.io/traefik/reference/routing-configuration/http/middlewares/retry/
    ("retryMiddleware", "status"): {
        "type": "array",
        "items": {"type": "string", "pattern": "^[1-5][0-9]{2}(-[1-5][0-9]{2})?$"},
    },
    ("retryMiddleware", "maxRequestBodyBytes"): {"type": "integer", "minimum": -1},
    # https://doc.traefik.io/traefik/reference/routing-configuration/http/load-balancing/service/
    ("httpLoadBalancerService", "passiveHealthCheck"): {
        "type": "object",
        "additionalProperties": False,
        "properties": {"failureWindow": {"type": "string"}, "maxFailedAttempts": {"type": "integer"}},
    },
}


def load(name, directory=CONFORMANCE_DIR):
    """An official schema by file name; FileNotFoundError names where it was looked for."""
    with open(os.path.join(directory, name)) as f:
        return json.load(f)


def file_provider(official):
    """The official file-provider schema (a loaded document) plus TRAEFIK_37_ADDITIONS."""
    doc = copy.deepcopy(official)
    for (definition, name), spec in TRAEFIK_37_ADDITIONS.items():
        properties = doc["definitions"][definition]["properties"]
        assert name not in properties, f"the published schema now has {definition}.{name}: drop the addition"
        properties[name] = spec
    return doc
