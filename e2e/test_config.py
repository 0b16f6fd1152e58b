"""Configuration conformance: the compose file, Traefik's static and dynamic
files and the Traefik labels against the official JSON schemas; Dockerfiles
against hadolint; the hardening every container of ours must have."""

import os
import re

import jsonschema
import pytest
import yaml

from harness import ROOT
from harness.compose import Assembly, read_env_file
from harness.proc import run
from harness.traefik import to_dynamic, to_static

OURS = ("storagesvc", "statussvc")


def validator_class(schema_doc):
    """The draft a schema declares; compose-spec.json spells draft-07's URI in a
    form (https, no `#`) that jsonschema's lookup does not recognise."""
    declared = schema_doc.get("$schema", "")
    for marker, cls in (
        ("draft-07", jsonschema.Draft7Validator),
        ("2019-09", jsonschema.Draft201909Validator),
        ("2020-12", jsonschema.Draft202012Validator),
        ("draft-04", jsonschema.Draft4Validator),
    ):
        if marker in declared:
            return cls
    return jsonschema.validators.validator_for(schema_doc)


def validate(instance, schema_doc):
    cls = validator_class(schema_doc)
    errors = sorted(cls(schema_doc).iter_errors(instance), key=lambda e: list(e.path))
    assert not errors, "\n".join(f"{list(e.path)}: {e.message}" for e in errors[:10])


def load_yaml(relative):
    with open(os.path.join(ROOT, relative)) as f:
        return yaml.safe_load(f)


def interpolated(env_file):
    """The compose file as compose itself reads it with this env file."""
    return Assembly(env_file).config()


def test_compose_file_validates_against_the_compose_specification(schema):
    compose = load_yaml("docker-compose.yml")
    assert "version" not in compose, "Compose Specification: no `version` key"
    validate(compose, schema("compose-spec.json"))


def test_compose_file_validates_after_interpolation(schema):
    config = interpolated(".env.dev")
    config.pop("version", None)  # docker-compose 1.29 adds one when printing
    validate(config, schema("compose-spec.json"))


def traefik_static(env_file=".env.dev"):
    """The gateway's static configuration: its flags in the interpolated compose file."""
    return interpolated(env_file)["services"]["traefik"]["command"]


def test_traefik_static_configuration_validates(schema):
    static = to_static(traefik_static(), schema("traefik-v3.json"))
    validate(static, schema("traefik-v3.json"))
    assert static["providers"]["docker"]["endpoint"] == "tcp://socket-proxy:2375"


@pytest.mark.parametrize("flag", ["--entryPoints.web.adress=:1", "--providers.docker.watch=maybe", "--ping"])
def test_static_flag_conversion_is_strict(schema, flag):
    """The check above can fail."""
    with pytest.raises((KeyError, ValueError, AssertionError)):
        validate(to_static([flag], schema("traefik-v3.json")), schema("traefik-v3.json"))


def test_gateway_and_statussvc_see_only_their_own_project():
    config = interpolated(".env.dev")
    project = read_env_file(".env.dev")["COMPOSE_PROJECT_NAME"]
    assert f"--providers.docker.constraints=Label(`com.docker.compose.project`,`{project}`)" in traefik_static()
    assert config["services"]["statussvc"]["environment"]["STATUS_SCOPE"] == f"com.docker.compose.project={project}"


def test_traefik_dynamic_configuration_validates(file_provider_schema):
    directory = os.path.join(ROOT, "traefik", "dynamic")
    files = sorted(f for f in os.listdir(directory) if f.endswith((".yml", ".yaml")))
    assert files
    for name in files:
        validate(load_yaml(os.path.join("traefik", "dynamic", name)), file_provider_schema)


def test_traefik_labels_as_dynamic_configuration_validate(file_provider_schema):
    file_provider = file_provider_schema
    config = interpolated(".env.dev")
    checked = 0
    for name, service in config["services"].items():
        labels = service.get("labels", {})
        if labels.get("traefik.enable") != "true":
            continue
        dynamic = to_dynamic(labels, file_provider, name)
        validate(dynamic, file_provider)
        checked += 1
    assert checked == 3, "traefik, statussvc and storagesvc carry Traefik labels"


@pytest.mark.parametrize(
    "label,value",
    [
        ("traefik.http.middlewares.r.retry.atempts", "3"),  # misspelt option
        ("traefik.http.middlewares.r.retry.status", "5xx"),  # an addition, wrongly typed
        ("traefik.http.services.s.loadbalancer.passivehealthcheck.maxfailures", "1"),
    ],
)
def test_label_conversion_is_strict(file_provider_schema, label, value):
    """The check above can fail."""
    file_provider = file_provider_schema
    # An unknown key fails the conversion (KeyError); a wrongly typed value the schema.
    with pytest.raises((KeyError, AssertionError)):
        validate(to_dynamic({label: value}, file_provider, "x"), file_provider)


def test_production_env_refuses_to_start_without_dashboard_users():
    result = Assembly(".env").compose("config", check=False)
    assert result.returncode != 0
    assert "DASHBOARD_USERS" in result.stdout + result.stderr


def test_development_dashboard_hash_reaches_the_label_intact():
    expected = read_env_file(".env.dev")["DASHBOARD_USERS"]
    assert expected.startswith("dev:$2")
    config = interpolated(".env.dev")
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
    inspected = run(
        [
            "docker",
            "image",
            "inspect",
            image,
            "--format",
            "{{json .Config.User}} {{json .Config.Entrypoint}} {{json .Config.Healthcheck.Test}}",
        ]
    )
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
