"""Runs a Dockerfile's build stage without its base image: the step a new
user's first `docker-compose up` takes, which no image registry here can serve.

1. `build_context()`: the exact build context Docker sends. Docker itself
   applies `.dockerignore` (a throw-away `FROM scratch` + `COPY . /ctx` image,
   copied back out with `docker cp`), so the matcher is Docker's, not ours.
2. `BuildStage.parse()`: the build stage's base image, WORKDIR, COPY lines,
   ENV and RUN commands, continuation lines joined.
3. `BuildStage.run()`: lays the context out as the COPY lines do, then runs
   the RUN commands with bash in that layout, with the stage's ENV, offline,
   with `/out` and WORKDIR mapped into a temporary directory. Compiled crates
   are reused from `target/` (the same flags as scripts/build-images.sh).
"""

import os
import re
import shutil
import subprocess
import tempfile
import uuid
from dataclasses import dataclass, field

from harness import ROOT
from harness.docker import docker


def build_context(destination):
    """Copies the build context Docker would send for ROOT into `destination`."""
    tag = f"storage-assembly-context:{uuid.uuid4().hex[:12]}"
    with tempfile.TemporaryDirectory() as tmp:
        dockerfile = os.path.join(tmp, "Dockerfile")
        with open(dockerfile, "w") as f:
            f.write("FROM scratch\nCOPY . /ctx\n")
        docker("build", "--quiet", "--tag", tag, "--file", dockerfile, ROOT, timeout=600)
    container = None
    try:
        container = docker("create", tag, "none")
        docker("cp", f"{container}:/ctx", destination)
    finally:
        if container:
            subprocess.run(["docker", "rm", "--force", container], capture_output=True)
        subprocess.run(["docker", "rmi", "--force", tag], capture_output=True)
    return destination


def _instructions(path):
    """(INSTRUCTION, arguments) per Dockerfile line, continuations joined."""
    with open(path) as f:
        text = re.sub(r"\\\n", " ", f.read())
    for line in text.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            word, _, rest = line.partition(" ")
            yield word.upper(), rest.strip()


@dataclass
class BuildStage:
    dockerfile: str
    base: str = ""
    workdir: str = "/"
    copies: list = field(default_factory=list)  # (sources, destination)
    env: dict = field(default_factory=dict)
    runs: list = field(default_factory=list)
    runtime_copies: list = field(default_factory=list)  # what later stages take from it

    @classmethod
    def parse(cls, dockerfile):
        stage, current = cls(dockerfile), None
        for word, rest in _instructions(dockerfile):
            if word == "FROM":
                image, _, name = rest.partition(" AS ")
                current = name.strip().lower()
                if current == "build":
                    stage.base = image.strip()
            elif word == "COPY" and current == "build":
                *sources, destination = rest.split()
                stage.copies.append((sources, destination))
            elif word == "COPY" and rest.startswith("--from=build "):
                source, _ = rest.removeprefix("--from=build ").split()
                stage.runtime_copies.append(source)
            elif current == "build" and word == "WORKDIR":
                stage.workdir = rest
            elif current == "build" and word == "ENV":
                key, _, value = rest.partition("=")
                stage.env[key] = value.strip('"')
            elif current == "build" and word == "RUN":
                stage.runs.append(rest)
        if not stage.base:
            raise ValueError(f"{dockerfile}: no `FROM … AS build` stage")
        return stage

    def rust_version(self):
        """`1.95` from `rust:1.95-bookworm`."""
        found = re.fullmatch(r"rust:(\d+\.\d+)(\.\d+)?(-.*)?", self.base)
        if not found:
            raise ValueError(f"{self.dockerfile}: the build stage's image `{self.base}` is not rust:<version>…")
        return found.group(1)

    def layout(self, context, work):
        """The build stage's filesystem (WORKDIR and what COPY put there) under `work`."""
        workdir = os.path.join(work, self.workdir.lstrip("/"))
        os.makedirs(workdir, exist_ok=True)
        for sources, destination in self.copies:
            target = os.path.join(workdir, destination)
            for source in sources:
                path = os.path.join(context, source)
                if not os.path.exists(path):
                    raise FileNotFoundError(
                        f"{self.dockerfile}: `COPY {source}`: {source} is not in the build context (see .dockerignore)"
                    )
                if os.path.isdir(path):
                    shutil.copytree(path, target, dirs_exist_ok=True)
                else:
                    dest = os.path.join(target, os.path.basename(source)) if destination.endswith("/") else target
                    os.makedirs(os.path.dirname(dest), exist_ok=True)
                    shutil.copy2(path, dest)
        return workdir

    def run(self, context, work, target_dir):
        """Runs the stage in `work`; returns the directory standing for `/out`.
        `target_dir` is linked as the layout's `target/` so crates compiled
        before are reused."""
        workdir = self.layout(context, work)
        out = os.path.join(work, "out")
        os.symlink(target_dir, os.path.join(workdir, "target"))
        env = {**os.environ, **self.env, "CARGO_NET_OFFLINE": "true"}
        for command in self.runs:
            command = re.sub(r"(?<![\w./])/out\b", out, command)
            result = subprocess.run(
                ["bash", "-o", "pipefail", "-c", command], cwd=workdir, env=env, capture_output=True, text=True
            )
            if result.returncode != 0:
                raise AssertionError(
                    f"{self.dockerfile}: the build stage's RUN failed (exit {result.returncode}):\n"
                    f"{command}\n{result.stderr[-4000:]}"
                )
        return out


def is_static_elf(path):
    """True for an ELF executable with no program interpreter (no dynamic loader)."""
    with open(path, "rb") as f:
        data = f.read()
    if data[:4] != b"\x7fELF" or data[4] != 2:  # 64-bit only
        return False
    phoff = int.from_bytes(data[32:40], "little")
    phentsize, phnum = int.from_bytes(data[54:56], "little"), int.from_bytes(data[56:58], "little")
    types = [int.from_bytes(data[phoff + i * phentsize : phoff + i * phentsize + 4], "little") for i in range(phnum)]
    return 3 not in types  # PT_INTERP
