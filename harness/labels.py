"""Turns Traefik Docker labels into the dynamic configuration they stand for,
so they can be checked against the file-provider JSON schema.

Label keys are case-insensitive in Traefik (`loadbalancer.healthcheck.path`);
each segment is matched against the schema's property names, so the result has
the schema's spelling (`loadBalancer.healthCheck.path`), and values get the
schema's types (lists split on commas, integers parsed).
"""

PROVIDER_ONLY = ("traefik.enable", "traefik.docker.")


def _resolve(schema, node):
    while "$ref" in node:
        node = schema["definitions"][node["$ref"].split("/")[-1]]
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
    if kind == "boolean":
        return value.lower() == "true"
    return value


def to_dynamic(labels, schema, service_name):
    """Dynamic configuration for one container's `traefik.*` labels."""
    config = {}
    for key, value in labels.items():
        if not key.startswith("traefik.") or key == "traefik.enable" or key.startswith("traefik.docker."):
            continue
        segments = key.split(".")[1:]
        # `loadbalancer.server.port` is the Docker provider's shorthand for a
        # server URL on the container's address.
        if [s.lower() for s in segments[-3:]] == ["loadbalancer", "server", "port"]:
            segments = segments[:-2] + ["servers"]
            value = f"http://{service_name}:{value}"
            tree_value = [{"url": value}]
        else:
            tree_value = None
        node, target = schema, config
        for i, segment in enumerate(segments):
            found = _child(schema, node, segment)
            if found is None:
                raise KeyError(f"label {key}: no `{segment}` here in the file-provider schema")
            name, node = found
            if i == len(segments) - 1:
                target[name] = tree_value if tree_value is not None else _typed(schema, node, value)
            else:
                target = target.setdefault(name, {})
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
