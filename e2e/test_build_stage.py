"""The build a new user's first `docker-compose up` runs, proven without the
Rust image: each Dockerfile's build stage, run on the build context Docker
itself would send (`.dockerignore` applied by Docker), laid out as its COPY
lines say, with its own RUN command, ENV and `--locked`, offline, on the host
toolchain (harness/buildstage.py). A crate, data file or example that the
context or the COPY lines leave out turns this red, naming the path.
"""

import glob
import os
import subprocess
import tempfile

import pytest

from harness import ROOT
from harness.buildstage import BuildStage, build_context, is_static_elf
from harness.proc import run

DOCKERFILES = sorted(os.path.relpath(p, ROOT) for p in glob.glob(os.path.join(ROOT, "*", "Dockerfile")))


@pytest.fixture(scope="module")
def context():
    with tempfile.TemporaryDirectory(prefix="build-context-") as tmp:
        yield build_context(os.path.join(tmp, "ctx"))


def test_every_image_of_ours_is_covered():
    assert DOCKERFILES == ["statussvc/Dockerfile", "storagesvc/Dockerfile"], (
        "a new Dockerfile: this test runs its build stage too; update the expected list"
    )


@pytest.mark.parametrize("dockerfile", DOCKERFILES)
def test_the_dockerfile_names_the_toolchain_the_tests_use(dockerfile):
    stage = BuildStage.parse(os.path.join(ROOT, dockerfile))
    host = run(["rustc", "--version"]).stdout.split()[1]  # 1.95.0
    assert host.startswith(stage.rust_version() + "."), (
        f"{dockerfile} builds with {stage.base}, the tests with rustc {host}: bump the Dockerfile's "
        f"FROM to rust:{'.'.join(host.split('.')[:2])}-bookworm, or the host toolchain (rustup) to "
        f"{stage.rust_version()}"
    )


@pytest.mark.parametrize("dockerfile", DOCKERFILES)
def test_the_build_stage_builds_the_binary_the_runtime_stage_copies(context, dockerfile):
    stage = BuildStage.parse(os.path.join(ROOT, dockerfile))
    assert stage.runtime_copies, f"{dockerfile}: the runtime stage copies nothing from the build stage"
    with tempfile.TemporaryDirectory(prefix="build-stage-") as work:
        out = stage.run(context, work, os.path.join(ROOT, "target"))
        for source in stage.runtime_copies:
            assert source.startswith("/out/"), f"{dockerfile}: runtime copies {source}, outside /out"
            binary = os.path.join(out, source.removeprefix("/out/"))
            assert os.path.isfile(binary), f"{dockerfile}: the build stage made no {source}"
            assert is_static_elf(binary), f"{source} is not a static executable (FROM scratch has no loader)"
            # It is the service: a bad setting gets its one-line startup error.
            result = subprocess.run([binary], env={"PORT": "not-a-port"}, capture_output=True, text=True, timeout=10)
            assert result.returncode != 0 and "PORT" in result.stderr, result.stderr


def test_a_member_left_out_of_the_context_is_named(context, tmp_path):
    """The check above can fail: without service-kit in the context, the
    build stage stops and says which path is missing."""
    partial = tmp_path / "ctx"
    subprocess.run(["cp", "-a", context, str(partial)], check=True)
    subprocess.run(["rm", "-rf", str(partial / "service-kit" / "src")], check=True)
    stage = BuildStage.parse(os.path.join(ROOT, "storagesvc", "Dockerfile"))
    with pytest.raises(AssertionError, match="service-kit"):
        stage.run(str(partial), str(tmp_path / "work"), os.path.join(ROOT, "target"))
