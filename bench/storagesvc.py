#!/usr/bin/env python3
"""storagesvc: GET /data/{pk}/{id} against a minimal actix-web handler, side by side.

Both servers run release builds with one worker pinned to the same CPU; wrk runs
on the other CPU. The baseline returns a constant body of the same size as the
record, so the ratio is what storagesvc's routing, lookup, ETag, X-Served-By and
metrics cost. Targets: ratio >= 0.9, peak RSS < 15 MiB.

Usage: bench/storagesvc.py [--rounds 7] [--seconds 3] [--connections 32]
"""

import argparse
import json
import os
import sys
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import common  # noqa: E402

PATH = "/data/orders/ord_20240"


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rounds", type=int, default=7)
    ap.add_argument("--seconds", type=int, default=3)
    ap.add_argument("--connections", type=int, default=32)
    args = ap.parse_args()
    common.need("wrk", "cargo")

    print("building release binaries …", flush=True)
    common.cargo_build("-p", "storagesvc", "--bin", "storagesvc", "--example", "bench_baseline")
    server_cpu, load_cpu = common.cpus()
    target = os.path.join(common.ROOT, "target", "release")

    svc_port, base_port = common.free_port(), common.free_port()
    svc = common.start([os.path.join(target, "storagesvc")],
                       {"PORT": str(svc_port), "WORKERS": "1", "HOST": "127.0.0.1"}, server_cpu)
    common.wait_http(f"http://127.0.0.1:{svc_port}/healthz")
    with urllib.request.urlopen(f"http://127.0.0.1:{svc_port}{PATH}") as r:
        body_bytes = len(r.read())
    base = common.start([os.path.join(target, "examples", "bench_baseline")],
                        {"PORT": str(base_port), "WORKERS": "1", "BODY_BYTES": str(body_bytes)}, server_cpu)
    common.wait_http(f"http://127.0.0.1:{base_port}/")
    urls = {"storagesvc": f"http://127.0.0.1:{svc_port}{PATH}",
            "baseline": f"http://127.0.0.1:{base_port}{PATH}"}
    try:
        print(f"{args.rounds} rounds x {args.seconds}s, {args.connections} connections, "
              f"body {body_bytes} bytes", flush=True)
        pids = {"storagesvc": svc.pid, "baseline": base.pid}
        med = common.rounds(
            list(urls), args.rounds,
            lambda name: common.wrk(urls[name], args.seconds, args.connections, load_cpu, server_pid=pids[name]),
            warmup=lambda name: common.wrk(urls[name], 1, args.connections, load_cpu))
        rss = common.peak_rss_mib(svc.pid)
    finally:
        common.stop(svc)
        common.stop(base)

    ratio = med["storagesvc"]["rps"] / med["baseline"]["rps"]
    cpu_ratio = med["baseline"]["cpu_us_per_req"] / med["storagesvc"]["cpu_us_per_req"]
    print()
    print("| target | req/s (median) | p50 | p99 | server CPU per request |")
    print("|---|---|---|---|---|")
    for name in urls:
        m = med[name]
        print(f"| {name} | {m['rps']:.0f} | {m['p50_ms']:.3f} ms | {m['p99_ms']:.3f} ms "
              f"| {m['cpu_us_per_req']:.1f} µs |")
    print(f"\nstoragesvc / baseline requests/s: {ratio:.2f}x (target >= 0.90); "
          f"by server CPU per request: {cpu_ratio:.2f}x")
    print(f"storagesvc peak RSS: {rss:.1f} MiB (target < 15)")
    print(json.dumps({"ratio": round(ratio, 3), "cpu_ratio": round(cpu_ratio, 3), "peak_rss_mib": round(rss, 1), **{
        f"{k}_{n}": round(v, 3) for n, m in med.items() for k, v in m.items()}}))


if __name__ == "__main__":
    main()
