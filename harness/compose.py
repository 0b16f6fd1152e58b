"""The shipped docker-compose.yml, driven as a user would: an env file, a project
name, and containers found by their compose labels (never by name: compose v1
and v2 name them differently)."""

import os
import shlex
import shutil

from harness import ROOT
from harness.docker import ids
from harness.proc import run


def compose_command():
    """docker-compose (1.29) or `docker compose` (v2): $COMPOSE if set (scripts/prereqs.sh sets it)."""
    configured = os.environ.get("COMPOSE")
    if configured:
        return shlex.split(configured)
    if shutil.which("docker-compose"):
        return ["docker-compose"]
    return ["docker", "compose"]


def read_env_file(path):
    """KEY=VALUE lines of an env file (relative to the repository root), quotes
    stripped as compose does."""
    values = {}
    with open(os.path.join(ROOT, path)) as f:
        for line in f:
            line = line.strip()
            if not line or line.startswith("#") or "=" not in line:
                continue
            key, value = line.split("=", 1)
            if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
                value = value[1:-1]
            values[key] = value
    return values


class Assembly:
    """One compose project of the shipped file: `env_file` (e.g. `.env.dev`) plus
    `overrides` (variables that win over the env file, as a shell's do)."""

    def __init__(self, env_file, overrides=None):
        self.env_file = os.path.join(ROOT, env_file)
        self.values = {**read_env_file(env_file), **(overrides or {})}
        self.overrides = dict(overrides or {})
        self.project = self.values["COMPOSE_PROJECT_NAME"]
        self.gateway = f"http://127.0.0.1:{self.values['GATEWAY_PORT']}"

    def compose(self, *args, check=True, timeout=600):
        env = {**os.environ, **self.overrides}
        cmd = compose_command() + [
            "--env-file",
            self.env_file,
            "--project-directory",
            ROOT,
            "--project-name",
            self.project,
            "-f",
            os.path.join(ROOT, "docker-compose.yml"),
        ]
        return run(cmd + list(args), check=check, env=env, timeout=timeout)

    def config(self):
        """The compose file as compose itself reads it with this env file."""
        import yaml

        return yaml.safe_load(self.compose("config").stdout)

    def containers(self, service=None, all_states=True):
        filters = [f"label=com.docker.compose.project={self.project}"]
        if service:
            filters.append(f"label=com.docker.compose.service={service}")
        return ids(*filters, all_states=all_states)

    def up(self, *extra):
        self.compose("up", "--detach", "--no-build", *extra)

    def scale(self, replicas):
        self.up("--scale", f"storagesvc={replicas}")

    def down(self, check=True):
        return self.compose("down", "--volumes", "--remove-orphans", "--timeout", "10", check=check)

    def logs(self, tail=30):
        return self.compose("logs", "--no-color", "--tail", str(tail), check=False).stdout
