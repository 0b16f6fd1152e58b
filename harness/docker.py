"""Docker CLI calls, and the FROM-scratch fixture image built around
statussvc/tests/fixture/replica.rs (no image can be pulled here)."""

import os
import subprocess
import tempfile

from harness import ROOT
from harness.proc import run

FIXTURE_SOURCE = os.path.join(ROOT, "statussvc", "tests", "fixture", "replica.rs")


def docker(*args, timeout=300):
    """Runs the docker CLI and returns its stdout, stripped; raises with stderr on failure."""
    return run(["docker", *args], timeout=timeout).stdout.strip()


def ids(*filters, all_states=True):
    """Ids of the containers matching every `--filter` value given."""
    args = ["ps", "--quiet", *(arg for f in filters for arg in ("--filter", f))]
    if all_states:
        args.append("--all")
    return docker(*args).split()


def remove_matching(*filters):
    """Force-removes every container matching the filters; never raises (cleanup)."""
    try:
        found = ids(*filters)
        if found:
            subprocess.run(["docker", "rm", "--force", *found], capture_output=True, timeout=300)
    except (AssertionError, subprocess.TimeoutExpired):
        pass


def build_fixture_image(tag, healthcheck=True):
    """Builds the fixture replica (`rustc` alone, static) into a FROM-scratch image.
    `healthcheck=False` leaves out its HEALTHCHECK (50 health checks a second would
    be 50 runc execs a second of noise in a benchmark)."""
    with tempfile.TemporaryDirectory() as tmp:
        run(
            [
                "rustc",
                "--edition",
                "2024",
                "-O",
                "-C",
                "strip=symbols",
                "-C",
                "target-feature=+crt-static",
                "-o",
                os.path.join(tmp, "replica"),
                FIXTURE_SOURCE,
            ]
        )
        lines = ["FROM scratch", "COPY replica /replica", "USER 65532:65532"]
        if healthcheck:
            lines.append('HEALTHCHECK --interval=1s --timeout=1s --retries=1 CMD ["/replica", "health"]')
        lines.append('ENTRYPOINT ["/replica"]')
        with open(os.path.join(tmp, "Dockerfile"), "w") as f:
            f.write("\n".join(lines) + "\n")
        docker("build", "--quiet", "--tag", tag, tmp)
    return tag
