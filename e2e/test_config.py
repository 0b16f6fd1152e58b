"""Configuration conformance: the compose file, Traefik's static and dynamic
files and the Traefik labels against the official JSON schemas; Dockerfiles
against hadolint; the hardening every container of ours must have."""

import copy
import os
import re

import jsonschema
import pytest
import yaml

from conftest import ROOT, compose_command, load_yaml, read_env_file, run
from labels import to_dynamic

OURS = ("storagesvc", "statussvc")


def validator_class(schema_doc):
    """The draft a schema declares; compose-spec.json spells draft-07's URI in a
    form (https, no `#`) that jsonschema's lookup does not recognise."""
    declared = schema_doc.get("$schema", "")
    for marker, cls in (("draft-07", jsonschema.Draft7Validator), ("2019-09", jsonschema.Draft201909Validator),
                        ("2020-12", jsonschema.Draft202012Validator), ("draft-04", jsonschema.Draft4Validator)):
        if marker in declared:
            return cls
    return jsonschema.validators.validator_for(schema_doc)


def validate(instance, schema_doc):
    cls = validator_class(schema_doc)
    errors = sorted(cls(schema_doc).iter_errors(instance), key=lambda e: list(e.path))
    assert not errors, "\n".join(f"{list(e.path)}: {e.message}" for e in errors[:10])


# Traefik 3.7 options that the published file-provider schema predates, and that
# the gateway needs (a replica killed mid-request must cost no client a failed
# request). They are added to the official schema here, typed, rather than
# ignored: everything else must match the schema as published.
TRAEFIK_37_ADDITIONS = {
    # https://doc.traefik.io/traefik/reference/routing-configuration/http/middlewares/retry/
    ("retryMiddleware", "status"): {
        "type": "array", "items": {"type": "string", "pattern": "^[1-5][0-9]{2}(-[1-5][0-9]{2})?$"}},
    ("retryMiddleware", "maxRequestBodyBytes"): {"type": "integer", "minimum": -1},
    # https://doc.traefik.io/traefik/reference/routing-configuration/http/load-balancing/service/
    ("httpLoadBalancerService", "passiveHealthCheck"): {
        "type": "object", "additionalProperties": False,
        "properties": {"failureWindow": {"type": "string"}, "maxFailedAttempts": {"type": "integer"}}},
}


def file_provider_schema(schema):
    """The official file-provider schema plus TRAEFIK_37_ADDITIONS."""
    doc = copy.deepcopy(schema("traefik-v3-file-provider.json"))
    for (definition, name), spec in TRAEFIK_37_ADDITIONS.items():
        properties = doc["definitions"][definition]["properties"]
        assert name not in properties, f"the published schema now has {definition}.{name}: drop the addition"
        properties[name] = spec
    return doc


def interpolated(env_file):
    """The compose file as compose itself reads it with this env file."""
    result = run(compose_command() + ["--env-file", env_file, "config"], env={**os.environ, "PWD": ROOT})
    return yaml.safe_load(result.stdout)


def test_compose_file_validates_against_the_compose_specification(schema):
    compose = load_yaml("docker-compose.yml")
    assert "version" not in compose, "Compose Specification: no `version` key"
    validate(compose, schema("compose-spec.json"))


def test_compose_file_validates_after_interpolation(schema):
    config = interpolated(os.path.join(ROOT, ".env.dev"))
    config.pop("version", None)  # docker-compose 1.29 adds one when printing
    validate(config, schema("compose-spec.json"))


def test_traefik_static_configuration_validates(schema):
    validate(load_yaml("traefik/traefik.yml"), schema("traefik-v3.json"))


def test_traefik_dynamic_configuration_validates(schema):
    directory = os.path.join(ROOT, "traefik", "dynamic")
    files = sorted(f for f in os.listdir(directory) if f.endswith((".yml", ".yaml")))
    assert files
    for name in files:
        validate(load_yaml(os.path.join("traefik", "dynamic", name)), file_provider_schema(schema))


def test_traefik_labels_as_dynamic_configuration_validate(schema):
    file_provider = file_provider_schema(schema)
    config = interpolated(os.path.join(ROOT, ".env.dev"))
    checked = 0
    for name, service in config["services"].items():
        labels = service.get("labels", {})
        if labels.get("traefik.enable") != "true":
            continue
        dynamic = to_dynamic(labels, file_provider, name)
        validate(dynamic, file_provider)
        checked += 1
    assert checked == 3, "traefik, statussvc and storagesvc carry Traefik labels"


@pytest.mark.parametrize("label,value", [
    ("traefik.http.middlewares.r.retry.atempts", "3"),  # misspelt option
    ("traefik.http.middlewares.r.retry.status", "5xx"),  # an addition, wrongly typed
    ("traefik.http.services.s.loadbalancer.passivehealthcheck.maxfailures", "1"),
])
def test_label_conversion_is_strict(schema, label, value):
    """The check above can fail."""
    file_provider = file_provider_schema(schema)
    with pytest.raises(Exception):
        validate(to_dynamic({label: value}, file_provider, "x"), file_provider)


def test_production_env_refuses_to_start_without_dashboard_users():
    result = run(compose_command() + ["--env-file", os.path.join(ROOT, ".env"), "config"], check=False)
    assert result.returncode != 0
    assert "DASHBOARD_USERS" in result.stdout + result.stderr


def test_development_dashboard_hash_reaches_the_label_intact():
    expected = read_env_file(".env.dev")["DASHBOARD_USERS"]
    assert expected.startswith("dev:$2")
    config = interpolated(os.path.join(ROOT, ".env.dev"))
    label = config["services"]["traefik"]["labels"]["traefik.http.middlewares.dashboard-auth.basicauth.users"]
    assert label.replace("$$", "$") == expected


def test_environments_differ_only_where_intended():
    prod, dev = read_env_file(".env"), read_env_file(".env.dev")
    assert prod["APP_ENV"] == "production" and dev["APP_ENV"] == "development"
    assert prod["DASHBOARD_USERS"] == "", "no default password in production"
    assert set(prod) == set(dev)


def test_every_container_is_hardened():
    config = load_yaml("docker-compose.yml")
    for name, service in config["services"].items():
        assert service.get("read_only") is True, name
        assert service.get("cap_drop") == ["ALL"], name
        assert "no-new-privileges:true" in service.get("security_opt", []), name
        assert service.get("mem_limit"), name
        grace = int(re.fullmatch(r"(\d+)s", service["stop_grace_period"]).group(1))
        assert grace > 3, f"{name}: stop_grace_period above the 3 s shutdown timeout"
        if name != "socket-proxy":
            assert service.get("user") == "65532:65532", f"{name} runs as non-root"
        assert ("ports" in service) == (name == "traefik"), f"only the gateway publishes a port ({name})"
    for name in OURS:
        assert config["services"][name]["healthcheck"]["test"] == ["CMD", f"/{name}", "healthcheck"]


def test_nothing_mounts_the_docker_socket_but_the_proxy():
    config = load_yaml("docker-compose.yml")
    for name, service in config["services"].items():
        mounts = " ".join(service.get("volumes", []))
        assert ("docker.sock" in mounts) == (name == "socket-proxy"), name
    assert config["services"]["statussvc"]["environment"]["DOCKER_HOST"] == "tcp://socket-proxy:2375"
    assert load_yaml("traefik/traefik.yml")["providers"]["docker"]["endpoint"] == "tcp://socket-proxy:2375"
    networks = config["networks"]
    assert networks["docker-api"]["internal"] is True
    assert config["services"]["socket-proxy"]["networks"] == ["docker-api"]
    assert "docker-api" not in config["services"]["storagesvc"]["networks"]


def test_compose_pins_the_traefik_version_that_the_tests_run():
    config = load_yaml("docker-compose.yml")
    image = config["services"]["traefik"]["image"]
    tested = run(["traefik", "version"]).stdout.split("Version:")[1].split()[0]
    assert image == f"${{TRAEFIK_IMAGE:-traefik:v{tested}}}"


@pytest.mark.parametrize("dockerfile", ["storagesvc/Dockerfile", "statussvc/Dockerfile"])
def test_dockerfiles_pass_hadolint(dockerfile):
    run(["hadolint", os.path.join(ROOT, dockerfile)])


@pytest.mark.parametrize("name", OURS)
def test_local_images_have_the_shape_of_the_shipped_dockerfile(name, images):
    """scripts/build-images.sh reuses the runtime stage verbatim; prove the result."""
    image = images[f"{name.upper()}_IMAGE"]
    inspected = run(["docker", "image", "inspect", image, "--format",
                     "{{json .Config.User}} {{json .Config.Entrypoint}} {{json .Config.Healthcheck.Test}}"])
    user, entrypoint, healthcheck = inspected.stdout.split()
    with open(os.path.join(ROOT, name, "Dockerfile")) as f:
        runtime = f.read().split("AS runtime", 1)[1]
    assert f"USER {user.strip(chr(34))}" in runtime
    assert f'ENTRYPOINT ["/{name}"]' in runtime and entrypoint == f'["/{name}"]'
    assert healthcheck == f'["CMD","/{name}","healthcheck"]'
    size = int(run(["docker", "image", "inspect", image, "--format", "{{.Size}}"]).stdout)
    assert size < 20 * 1024 * 1024, f"{image} is {size} bytes"


def test_every_variable_is_in_the_readme_configuration_table():
    with open(os.path.join(ROOT, "README.md")) as f:
        readme = f.read()
    variables = set(read_env_file(".env")) | set(read_env_file(".env.dev"))
    with open(os.path.join(ROOT, "docker-compose.yml")) as f:
        variables |= set(re.findall(r"\$\{([A-Z_]+)", f.read()))
    for source in [f"{crate}/src/configuration.rs" for crate in OURS] + ["service-kit/src/settings.rs"]:
        with open(os.path.join(ROOT, source)) as f:
            variables |= set(re.findall(r'"([A-Z][A-Z_]+)"', f.read()))
    missing = sorted(v for v in variables if f"`{v}`" not in readme)
    assert not missing, f"not in README: {missing}"
