#!/usr/bin/env python3
"""statussvc losing and regaining the Docker daemon: how long after the daemon
comes back does /status show a fresh, connected view?

statussvc (release binary) reaches Docker through a socat proxy between a
private unix socket and the real one, as in the daemon-loss test; the script
cuts the proxy (killing its process group, which also ends the open event
stream), waits, restores it, and times from the restore to `/status` showing
`docker.connected: true` with a `lastSyncAt` after the restore. Outages last a
random 0.5-8 s (seeded, printed), so statussvc's backoff is caught at every
stage, up to its cap. Target: worst case within 5 s over 20 cuts.

Usage: bench/reconnect.py [--cuts 20] [--seed N]
"""

import argparse
import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from datetime import datetime

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import common


class Proxy:
    """socat between `path` and the daemon's socket, in its own process group."""

    def __init__(self, path, upstream):
        self.path, self.upstream, self.proc = path, upstream, None

    def restore(self):
        self.proc = subprocess.Popen(
            ["socat", f"UNIX-LISTEN:{self.path},fork,unlink-early", f"UNIX-CONNECT:{self.upstream}"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            process_group=0,
        )
        common.eventually(f"socat to create {self.path}", lambda: os.path.exists(self.path), timeout=5, interval=0.01)

    def cut(self):
        if self.proc is not None:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait()
            self.proc = None


def status(port):
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/status?appName=none", timeout=2) as r:
        return json.load(r)["docker"]


def fresh_since(port, since):
    """Seconds from `since` until /status is connected with a list taken after it."""
    while True:
        docker = status(port)
        synced = docker["lastSyncAt"]
        if docker["connected"] and synced and _epoch(synced) >= since:
            return time.time() - since
        if time.time() - since > 60:
            sys.exit("no resync within 60 s of the daemon's return")
        time.sleep(0.01)


def _epoch(rfc3339):
    return datetime.fromisoformat(rfc3339.replace("Z", "+00:00")).timestamp()


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cuts", type=int, default=20)
    ap.add_argument("--seed", type=int, default=int(time.time()))
    args = ap.parse_args()
    common.need("socat", "cargo", "docker")
    rng = random.Random(args.seed)
    print(f"seed {args.seed}; building release statussvc …", flush=True)
    common.cargo_build("-p", "statussvc", "--bin", "statussvc")
    upstream = os.environ.get("DOCKER_HOST", "unix:///var/run/docker.sock").removeprefix("unix://")
    work = tempfile.mkdtemp(prefix="bench-reconnect-")
    proxy = Proxy(os.path.join(work, "docker.sock"), upstream)
    svc = None
    samples = []
    try:
        proxy.restore()
        port = common.free_port()
        env = {"PORT": str(port), "HOST": "127.0.0.1", "DOCKER_HOST": f"unix://{proxy.path}", "RUST_LOG": "warn"}
        svc = common.start([os.path.join(common.ROOT, "target", "release", "statussvc")], env)
        common.wait_http(f"http://127.0.0.1:{port}/readyz", process=svc)
        for i in range(args.cuts):
            outage = rng.uniform(0.5, 8)
            proxy.cut()
            common.eventually("statussvc to notice the cut", lambda: not status(port)["connected"], timeout=30)
            time.sleep(outage)
            restored = time.time()
            proxy.restore()
            samples.append(fresh_since(port, restored))
            print(f"  cut {i + 1}/{args.cuts}: outage {outage:.1f} s, resynced {samples[-1]:.2f} s after", flush=True)
    finally:
        if svc is not None:
            common.stop(svc)
        proxy.cut()
        subprocess.run(["rm", "-rf", work], check=False)
    p50, p90, worst = (common.percentile(samples, q) for q in (50, 90, 100))
    print(
        f"\nresync after the daemon's return, n={len(samples)}: p50 {p50:.2f} s, p90 {p90:.2f} s, "
        f"max {worst:.2f} s (target max <= 5 s)"
    )
    print(
        json.dumps(
            {
                "seed": args.seed,
                "cuts": len(samples),
                "p50_s": round(p50, 3),
                "p90_s": round(p90, 3),
                "max_s": round(worst, 3),
                "samples_s": [round(s, 3) for s in samples],
            }
        )
    )


if __name__ == "__main__":
    main()
