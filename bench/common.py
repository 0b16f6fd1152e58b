"""What only the benchmark scripts need: build, start pinned, wrk, statistics.
(Ports, waiting and Docker calls come from harness/, shared with e2e/.)

Speed goals are ratios measured side by side in one run, never absolute numbers
in timed tests. Each target gets several short interleaved rounds, so a noisy
neighbour on the machine hurts both sides alike; the median round counts.
"""

import math
import os
import re
import shutil
import statistics
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from harness import ROOT
from harness.proc import Timeout, eventually, free_port, stop, wait_http  # noqa: F401


def need(*commands):
    missing = [c for c in commands if shutil.which(c) is None]
    if missing:
        sys.exit(f"missing: {' '.join(missing)} (Debian: apt-get install {' '.join(missing)})")


def cargo_build(*args):
    subprocess.run(["cargo", "build", "--release", "--quiet", *args], cwd=ROOT, check=True)


def cpus():
    """Server on the first CPU, load generator on the rest (when there are two)."""
    n = os.cpu_count() or 1
    return ("0", "1" if n == 2 else f"1-{n - 1}") if n > 1 else ("0", "0")


def start(cmd, env, cpu=None):
    """A server process (output discarded), pinned to `cpu` when taskset exists."""
    full_env = {**os.environ, **env}
    if cpu is not None and shutil.which("taskset"):
        cmd = ["taskset", "-c", cpu, *cmd]
    return subprocess.Popen(cmd, env=full_env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def percentile(values, q):
    """Nearest rank: with fewer than 100 samples, p99 is the maximum."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(q / 100 * len(ordered)) - 1)]


def _status_mib(pid, field):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(f"{field}:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def peak_rss_mib(pid):
    """VmHWM: the resident set's high-water mark since the process started."""
    return _status_mib(pid, "VmHWM")


def rss_mib(pid):
    """VmRSS: the resident set now."""
    return _status_mib(pid, "VmRSS")


def start_ready(cmd, env, cpu, ready_path="/healthz", timeout=30):
    """A server on a free loopback port (PORT, HOST, one worker), waited for
    until `ready_path` answers; returns (process, port)."""
    port = free_port()
    proc = start(cmd, {"PORT": str(port), "WORKERS": "1", "HOST": "127.0.0.1", **env}, cpu)
    try:
        wait_http(f"http://127.0.0.1:{port}{ready_path}", process=proc, timeout=timeout)
    except BaseException:
        stop(proc)
        raise
    return proc, port


_UNITS = {"us": 1e-3, "ms": 1.0, "s": 1e3}


def _ms(text):
    m = re.fullmatch(r"([\d.]+)(us|ms|s)", text)
    return float(m.group(1)) * _UNITS[m.group(2)]


def cpu_seconds(pid):
    """User + system CPU time the process has used so far."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def wrk(url, seconds, connections, cpu, headers=(), server_pid=None):
    """One wrk run: requests/s, p50/p99 latency, and with `server_pid` the
    server's CPU time per request (less sensitive to the load generator)."""
    cmd = ["wrk", "-t1", f"-c{connections}", f"-d{seconds}s", "--latency"]
    for h in headers:
        cmd += ["-H", h]
    if shutil.which("taskset"):
        cmd = ["taskset", "-c", cpu, *cmd]
    before = cpu_seconds(server_pid) if server_pid else None
    out = subprocess.run(cmd + [url], capture_output=True, text=True, check=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    total = int(re.search(r"(\d+) requests in", out).group(1))
    p50 = _ms(re.search(r"\s50%\s+(\S+)", out).group(1))
    p99 = _ms(re.search(r"\s99%\s+(\S+)", out).group(1))
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    socket_errors = re.search(r"Socket errors: (.*)", out)
    if errors or socket_errors:
        sys.exit(f"wrk saw failures against {url}:\n{out}")
    result = {"rps": rps, "p50_ms": p50, "p99_ms": p99}
    if server_pid:
        result["cpu_us_per_req"] = (cpu_seconds(server_pid) - before) * 1e6 / total
    return result


def rounds(targets, n, run_one, warmup=None):
    """Interleaves n rounds over the targets, alternating their order (ABBA), each
    measurement preceded by an unmeasured warm-up; returns per-target medians,
    plus under "paired" the median over rounds of each target's req/s divided
    by the first target's in the same round.

    The order alternates because on this kind of VM whichever side runs first
    after a pause measured up to 30% slower. The paired ratio is the steadier
    figure: the machine's speed drifts between rounds (by 25% here), and
    within one round both sides see the same machine."""
    results = {name: [] for name in targets}
    for i in range(n):
        order = targets if i % 2 == 0 else list(reversed(targets))
        for name in order:
            if warmup:
                warmup(name)
            results[name].append(run_one(name))
        print(
            f"  round {i + 1}/{n}: " + ", ".join(f"{name} {results[name][-1]['rps']:.0f} req/s" for name in targets),
            flush=True,
        )
    medians = {name: {key: statistics.median(r[key] for r in rs) for key in rs[0]} for name, rs in results.items()}
    first = results[targets[0]]
    medians["paired"] = {
        name: statistics.median(r["rps"] / f["rps"] for r, f in zip(rs, first, strict=True))
        for name, rs in results.items()
    }
    return medians
