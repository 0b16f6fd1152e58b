#!/usr/bin/env python3
"""statussvc: how fresh /status is, and what a poll costs next to asking Docker.

statussvc answers GET /status from an in-memory view that the Docker event
stream keeps current, instead of asking the daemon on every request (the
per-request design). That trade is worth it only if the view is fresh and a
poll is much cheaper than the daemon call it replaces. So, in one run, against
the release binary (one worker, pinned to the first CPU; load on the other):

1. Freshness: time from `docker kill` returning to /status first showing the
   container `exited`, polled as fast as possible over one keep-alive
   connection. --trials kills (default 40). Target p99 < 100 ms.
2. Cost of a poll with 3 and with 50 containers of an app: wrk req/s and p50
   (interleaved rounds, as in common.py), then the latency of /status next to
   ONE Docker list call filtered by the same label, the least a per-request
   design pays (it would also have to inspect each container for health).
   Measured with curl (`curl --unix-socket` for Docker) two ways, same client
   and method for both sides, batches interleaved: many URLs in one curl
   process, which reuses one keep-alive connection and so times the servers;
   and one curl process per call, which adds curl's own start and connection
   setup to both sides (GET /healthz shows that floor). Targets: Docker list
   p50 / /status p50 >= 20 (keep-alive); req/s(3) / req/s(50) <= 1.5.
3. Peak RSS (VmHWM) of statussvc after all of it. Target < 20 MiB.

The 53 load containers exist throughout, so the freshness trials also pay
statussvc's periodic full resync (every 30 s by default) over all of them.
Containers come from the tests' FROM-scratch fixture (no image can be pulled
here), built under a bench tag without the tests' HEALTHCHECK: 50 health checks
a second would be 50 runc execs a second of noise on a 2-CPU machine. Every
container and the image are removed at the end, also on failure or Ctrl-C.

Usage: bench/statussvc.py [--trials 40] [--rounds 5] [--seconds 3]
                          [--connections 32] [--calls 50]
"""

import argparse
import http.client
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import time
import urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import common
from harness.docker import build_fixture_image, docker, remove_matching

RUN = str(os.getpid())
MARK = f"statussvc.bench={RUN}"  # on every container we create, for cleanup
APP = f"bench-{RUN}"  # the freshness trials' app; the load sets are APP-3, APP-50
TAG = f"statussvc-bench-replica:{RUN}"
SIZES = (3, 50)


def start_containers(app, count):
    names = [f"{app}-{i}" for i in range(count)]
    for name in names:
        docker("create", "--name", name, "--label", f"app.name={app}", "--label", MARK, TAG)
    docker("start", *names)
    return names


def cleanup(svc):
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # a second Ctrl-C must not leak containers
    if svc is not None:
        common.stop(svc)
    remove_matching(f"label={MARK}")
    try:
        subprocess.run(["docker", "rmi", "-f", TAG], capture_output=True, timeout=60)
    except subprocess.TimeoutExpired:
        print(
            f"cleanup: the daemon did not answer; remove leftovers with: docker rm -f "
            f"$(docker ps -aq --filter label={MARK}); docker rmi -f {TAG}",
            file=sys.stderr,
        )


def start_statussvc(cpu):
    """The release binary on a free port, ready. Another process may take the port
    between free_port() and the bind (tests run here too): then try another."""
    for _ in range(3):
        port = common.free_port()
        svc = common.start(
            [os.path.join(common.ROOT, "target", "release", "statussvc")],
            {"PORT": str(port), "WORKERS": "1", "HOST": "127.0.0.1"},
            cpu,
        )
        time.sleep(0.3)  # a failed bind exits at once; do not mistake a stranger for ours
        if svc.poll() is None:
            try:
                common.wait_http(f"http://127.0.0.1:{port}/readyz")
            except BaseException:
                common.stop(svc)
                raise
            return svc, port
    sys.exit("statussvc did not start (exited at once three times)")


class Status:
    """GET /status over one persistent HTTP/1.1 connection."""

    def __init__(self, svc, port):
        self.svc, self.conn = svc, http.client.HTTPConnection("127.0.0.1", port)

    def services(self, app, name=None):
        path = "/status?" + urllib.parse.urlencode({"appName": app, **({"id": name} if name else {})})
        try:
            self.conn.request("GET", path)
            response = self.conn.getresponse()
        except (http.client.RemoteDisconnected, ConnectionError):
            if self.svc.poll() is not None:
                sys.exit(f"statussvc exited mid-run (status {self.svc.returncode})")
            self.conn.close()  # the server closed an idle keep-alive connection: reconnect once
            self.conn.request("GET", path)
            response = self.conn.getresponse()
        body = response.read()
        return json.loads(body)["services"] if response.status == 200 else []

    def wait(self, app, names, state, timeout=30):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            seen = {s["name"]: s["state"] for s in self.services(app)}
            if all(seen.get(n) == state for n in names):
                return
            time.sleep(0.02)
        sys.exit(f"/status never showed {len(names)} {app} containers {state}")


def freshness(status, trials, batch=10):
    """Milliseconds from `docker kill` returning to /status showing `exited`."""
    samples = []
    while len(samples) < trials:
        names = start_containers(APP, min(batch, trials - len(samples)))
        status.wait(APP, names, "running")
        for name in names:
            docker("kill", name)
            t0 = time.perf_counter()
            while True:
                services = status.services(APP, name)
                if services and services[0]["state"] == "exited":
                    break
                if time.perf_counter() - t0 > 10:
                    sys.exit(f"/status did not show {name} exited within 10 s")
            samples.append((time.perf_counter() - t0) * 1e3)
        docker("rm", "-f", *names)
        print(f"  freshness: {len(samples)}/{trials} trials, worst so far {max(samples):.1f} ms", flush=True)
    return samples


def curl(url, cpu, socket_path=None, body=False):
    """(time_total in ms, body) of one curl call, curl pinned like wrk."""
    cmd = ["taskset", "-c", cpu] if shutil.which("taskset") else []
    cmd += ["curl", "-sS", "-o", "-" if body else "/dev/null", "-w", "\n%{http_code} %{time_total}"]
    if socket_path:
        cmd += ["--unix-socket", socket_path]
    out = subprocess.run(cmd + [url], capture_output=True, text=True, check=True).stdout
    text, _, tail = out.rpartition("\n")
    code, seconds = tail.split()
    if code != "200":
        sys.exit(f"curl {url}: HTTP {code}")
    return float(seconds) * 1e3, text


def curl_reused(url, count, cpu, socket_path=None):
    """time_total (ms) of `count` GETs of `url` in one curl process, which
    reuses one keep-alive connection: the servers' latency without curl's
    start-up and connection setup."""
    cmd = ["taskset", "-c", cpu] if shutil.which("taskset") else []
    cmd += ["curl", "-sS", "-w", "%{http_code} %{time_total}\n"]
    if socket_path:
        cmd += ["--unix-socket", socket_path]
    for _ in range(count):
        cmd += ["-o", "/dev/null", url]
    out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout.split("\n")
    times = []
    for line in filter(None, out):
        code, seconds = line.split()
        if code != "200":
            sys.exit(f"curl {url}: HTTP {code}")
        times.append(float(seconds) * 1e3)
    return times[1:]  # the first pays for the connection


def measure_load(port, args, load_cpu):
    """wrk against /status with 3 and with 50 containers: per-size medians."""
    url = {n: f"http://127.0.0.1:{port}/status?appName={APP}-{n}" for n in SIZES}
    print(f"/status load: {args.rounds} rounds x {args.seconds}s, {args.connections} connections", flush=True)
    med = common.rounds(
        [str(n) for n in SIZES],
        args.rounds,
        lambda n: common.wrk(url[int(n)], args.seconds, args.connections, load_cpu),
        warmup=lambda n: common.wrk(url[int(n)], 1, args.connections, load_cpu),
    )
    med.pop("paired")
    return {int(n): m for n, m in med.items()}


def comparison_urls(port, api, sock, load_cpu):
    """(url, unix socket) per target: curl's floor (/healthz), /status and the one
    Docker list call a per-request design pays, for each size."""
    urls = {("healthz", 0): (f"http://127.0.0.1:{port}/healthz", None)}
    for n in SIZES:
        filters = urllib.parse.quote(json.dumps({"label": [f"app.name={APP}-{n}"]}))
        docker_url = f"http://localhost/v{api}/containers/json?all=1&filters={filters}"
        listed = json.loads(curl(docker_url, load_cpu, sock, body=True)[1])
        if len(listed) != n:  # the daemon call returns the same containers /status shows
            sys.exit(f"Docker listed {len(listed)} containers of {APP}-{n}, not {n}")
        urls["status", n] = (f"http://127.0.0.1:{port}/status?appName={APP}-{n}", None)
        urls["docker", n] = (docker_url, sock)
    return urls


def interleaved_p50(urls, repeats, measure):
    """p50 per target of `measure(url, socket_path)` (a list of milliseconds),
    `repeats` times, the targets' order alternating between repeats."""
    targets = list(urls)
    times = {t: [] for t in targets}
    for i in range(repeats):
        for t in targets if i % 2 == 0 else reversed(targets):
            times[t] += measure(*urls[t])
    return {t: statistics.median(v) for t, v in times.items()}


def measure_new_connections(urls, calls, load_cpu):
    """p50 of one curl process per call."""
    print(f"curl: {calls} calls each to /healthz, /status and the Docker API", flush=True)
    return interleaved_p50(urls, calls, lambda url, sock: [curl(url, load_cpu, sock)[0]])


def measure_keepalive(urls, load_cpu, batches=10, per_batch=21):
    """p50 of calls on one reused connection per batch."""
    print(f"keep-alive: {batches} x {per_batch - 1} reused-connection calls each", flush=True)
    return interleaved_p50(urls, batches, lambda url, sock: curl_reused(url, per_batch, load_cpu, sock))


def report(fresh, med, curl_p50, ka_p50, rss):
    p50, p99, worst = (common.percentile(fresh, q) for q in (50, 99, 100))
    speedup = {n: ka_p50["docker", n] / ka_p50["status", n] for n in SIZES}
    curl_speedup = {n: curl_p50["docker", n] / curl_p50["status", n] for n in SIZES}
    rps_ratio = med[3]["rps"] / med[50]["rps"]
    print()
    print(
        "| containers | wrk req/s | wrk p50 | wrk p99 | /status p50 (keep-alive) "
        "| Docker list p50 (keep-alive) | Docker / status | /status p50 (curl) "
        "| Docker list p50 (curl) | Docker / status (curl) |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|")
    for n in SIZES:
        m = med[n]
        print(
            f"| {n} | {m['rps']:.0f} | {m['p50_ms']:.3f} ms | {m['p99_ms']:.3f} ms "
            f"| {ka_p50['status', n]:.3f} ms | {ka_p50['docker', n]:.3f} ms | {speedup[n]:.1f}x "
            f"| {curl_p50['status', n]:.3f} ms | {curl_p50['docker', n]:.3f} ms "
            f"| {curl_speedup[n]:.1f}x |"
        )
    print(
        f"\nfreshness (kill returned -> /status exited), n={len(fresh)}: "
        f"p50 {p50:.1f} ms, p99 {p99:.1f} ms, max {worst:.1f} ms (target p99 < 100)"
    )
    print(
        f"curl floor (GET /healthz p50): {ka_p50['healthz', 0]:.3f} ms on a reused connection, "
        f"{curl_p50['healthz', 0]:.3f} ms with a new one"
    )
    print(
        f"Docker list / /status at p50, keep-alive: {speedup[3]:.1f}x (3), {speedup[50]:.1f}x (50) "
        f"(target >= 20); with curl: {curl_speedup[3]:.1f}x, {curl_speedup[50]:.1f}x"
    )
    print(f"req/s 3 / 50 containers: {rps_ratio:.2f}x (target <= 1.5)")
    print(f"statussvc peak RSS: {rss:.1f} MiB (target < 20)")
    print(
        json.dumps(
            {
                "freshness_p50_ms": round(p50, 2),
                "freshness_p99_ms": round(p99, 2),
                "freshness_max_ms": round(worst, 2),
                "trials": len(fresh),
                **{f"{k}_{n}": round(v, 3) for n, m in med.items() for k, v in m.items()},
                **{f"{kind}_curl_p50_ms" + (f"_{n}" if n else ""): round(v, 3) for (kind, n), v in curl_p50.items()},
                **{f"{kind}_keepalive_p50_ms_{n}": round(v, 3) for (kind, n), v in ka_p50.items()},
                **{f"docker_over_status_{n}": round(v, 1) for n, v in speedup.items()},
                **{f"docker_over_status_curl_{n}": round(v, 1) for n, v in curl_speedup.items()},
                "rps_3_over_50": round(rps_ratio, 3),
                "peak_rss_mib": round(rss, 1),
            }
        )
    )


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--trials", type=int, default=40, help="docker kills timed (at least 30)")
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--seconds", type=int, default=3)
    ap.add_argument("--connections", type=int, default=32)
    ap.add_argument("--calls", type=int, default=50, help="curl calls per target")
    args = ap.parse_args()
    if args.trials < 30:
        ap.error("--trials must be at least 30")
    common.need("docker", "wrk", "curl", "rustc", "cargo")
    try:
        api = docker("version", "--format", "{{.Server.APIVersion}}")
    except AssertionError as e:
        sys.exit(f"the Docker daemon is required: {e}")
    host = os.environ.get("DOCKER_HOST", "unix:///var/run/docker.sock")
    if not host.startswith("unix://"):
        sys.exit(f"DOCKER_HOST must be a unix socket for the curl comparison, not {host}")
    sock = host[len("unix://") :]
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # run the finally below

    print("building release binary and fixture image …", flush=True)
    common.cargo_build("-p", "statussvc", "--bin", "statussvc")
    server_cpu, load_cpu = common.cpus()
    svc = None
    try:
        build_fixture_image(TAG, healthcheck=False)
        svc, port = start_statussvc(server_cpu)
        status = Status(svc, port)
        print(f"starting {sum(SIZES)} load containers …", flush=True)
        for n in SIZES:
            status.wait(f"{APP}-{n}", start_containers(f"{APP}-{n}", n), "running")
        print(f"freshness: {args.trials} kills", flush=True)
        fresh = freshness(status, args.trials)
        med = measure_load(port, args, load_cpu)
        urls = comparison_urls(port, api, sock, load_cpu)
        curl_p50 = measure_new_connections(urls, args.calls, load_cpu)
        ka_p50 = measure_keepalive(urls, load_cpu)
        rss = common.peak_rss_mib(svc.pid)
    finally:
        cleanup(svc)
    report(fresh, med, curl_p50, ka_p50, rss)


if __name__ == "__main__":
    try:
        main()
    except KeyboardInterrupt:
        sys.exit("interrupted (containers and image removed)")
