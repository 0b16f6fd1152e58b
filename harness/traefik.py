"""Traefik configuration written as dotted keys, turned into the tree Traefik's
JSON schemas describe, so it can be validated and reused:
- Docker labels (`traefik.http.routers.x.rule=…`) into dynamic configuration;
- command-line flags (`--entryPoints.web.address=:8081`) into static
  configuration (the compose file gives Traefik its static configuration as
  flags).

Keys are case-insensitive in Traefik (`loadbalancer.healthcheck.path`); each
segment is matched against the schema's property names, so the result has the
schema's spelling (`loadBalancer.healthCheck.path`), and values get the
schema's types (lists split on commas, integers and booleans parsed).
"""

# Labels for the Docker provider itself, not configuration.
PROVIDER_ONLY = ("traefik.enable", "traefik.docker.")


def _resolve(schema, node):
    while "$ref" in node:  # "#/definitions/x" (file provider) or "#/$defs/x" (static)
        section, name = node["$ref"].split("/")[-2:]
        node = schema[section][name]
    return node


def _child(schema, node, segment):
    """The schema node for `segment` under `node`, and its canonical spelling."""
    node = _resolve(schema, node)
    for name, sub in node.get("properties", {}).items():
        if name.lower() == segment.lower():
            return name, sub
    extra = node.get("additionalProperties")
    if isinstance(extra, dict):  # a map keyed by user names (routers, middlewares…)
        return segment, extra
    for alternative in node.get("anyOf", []) + node.get("oneOf", []):
        found = _child(schema, alternative, segment)
        if found:
            return found
    return None


def _typed(schema, node, value):
    node = _resolve(schema, node)
    kind = node.get("type")
    if kind == "array":
        item = node.get("items", {})
        return [_typed(schema, item, v.strip()) for v in value.split(",")]
    if kind == "integer":
        return int(value)
    if kind == "number":
        return float(value) if "." in value else int(value)
    if kind == "boolean":
        if value.lower() not in ("true", "false"):
            raise ValueError(f"{value!r} is not a boolean")
        return value.lower() == "true"
    return value


def _place(config, schema, segments, value, what):
    """Puts `value` at the path `segments` of `config`, spelled and typed as
    `schema` says; `value` may be a ready subtree (a list, a dict)."""
    node, target = schema, config
    for i, segment in enumerate(segments):
        found = _child(schema, node, segment)
        if found is None:
            raise KeyError(f"{what}: no `{segment}` here in the schema")
        name, node = found
        if i == len(segments) - 1:
            target[name] = value if not isinstance(value, str) else _typed(schema, node, value)
        else:
            target = target.setdefault(name, {})


def to_dynamic(labels, schema, service_name):
    """Dynamic configuration for one container's `traefik.*` labels."""
    config = {}
    for key, value in labels.items():
        if not key.startswith("traefik.") or key.startswith(PROVIDER_ONLY):
            continue
        segments = key.split(".")[1:]
        # `loadbalancer.server.port` is the Docker provider's shorthand for a
        # server URL on the container's address.
        if [s.lower() for s in segments[-3:]] == ["loadbalancer", "server", "port"]:
            segments = segments[:-2] + ["servers"]
            value = [{"url": f"http://{service_name}:{value}"}]
        _place(config, schema, segments, value, f"label {key}")
    return config


def to_static(flags, schema):
    """Static configuration from Traefik's command-line flags (`--a.b=value`)."""
    config = {}
    for flag in flags:
        if not flag.startswith("--") or "=" not in flag:
            raise ValueError(f"flag {flag!r}: expected --key.path=value")
        key, value = flag[2:].split("=", 1)
        _place(config, schema, key.split("."), value, f"flag {flag}")
    return config


def merge(base, extra):
    """`extra` merged into a copy of `base`, mapping by mapping (the way Traefik
    merges one provider's routers, middlewares and services)."""
    merged = dict(base)
    for key, value in extra.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = merge(merged[key], value)
        else:
            merged[key] = value
    return merged
