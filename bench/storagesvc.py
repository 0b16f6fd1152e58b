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
import common

PATH = "/data/orders/ord_20240"


def start_target(name, cmd, env, cpu):
    """A server on a free port, ready; returns (process, port)."""
    return common.start_ready(cmd, env, cpu, ready_path="/healthz" if name != "baseline" else "/")


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rounds", type=int, default=7)
    ap.add_argument("--seconds", type=int, default=3)
    ap.add_argument("--connections", type=int, default=32)
    ap.add_argument("--compare", metavar="BINARY", help="another storagesvc build to measure in the same run")
    args = ap.parse_args()
    common.need("wrk", "cargo")

    print("building release binaries …", flush=True)
    common.cargo_build("-p", "storagesvc", "--bin", "storagesvc", "--example", "bench_baseline")
    server_cpu, load_cpu = common.cpus()
    target = os.path.join(common.ROOT, "target", "release")

    procs = {}
    try:
        procs["storagesvc"] = start_target("storagesvc", [os.path.join(target, "storagesvc")], {}, server_cpu)
        with urllib.request.urlopen(f"http://127.0.0.1:{procs['storagesvc'][1]}{PATH}") as r:
            body_bytes = len(r.read())
        procs["baseline"] = start_target(
            "baseline",
            [os.path.join(target, "examples", "bench_baseline")],
            {"BODY_BYTES": str(body_bytes)},
            server_cpu,
        )
        if args.compare:
            procs["compared"] = start_target("compared", [os.path.abspath(args.compare)], {}, server_cpu)
        names = ["baseline", *(n for n in procs if n != "baseline")]
        urls = {name: f"http://127.0.0.1:{procs[name][1]}{PATH}" for name in names}
        print(
            f"{args.rounds} rounds x {args.seconds}s, {args.connections} connections, body {body_bytes} bytes",
            flush=True,
        )
        med = common.rounds(
            names,
            args.rounds,
            lambda name: common.wrk(
                urls[name], args.seconds, args.connections, load_cpu, server_pid=procs[name][0].pid
            ),
            warmup=lambda name: common.wrk(urls[name], 1, args.connections, load_cpu),
        )
        rss = common.peak_rss_mib(procs["storagesvc"][0].pid)
    finally:
        for proc, _ in procs.values():
            common.stop(proc)

    paired = med.pop("paired")
    ratio = paired["storagesvc"]
    cpu_ratio = med["baseline"]["cpu_us_per_req"] / med["storagesvc"]["cpu_us_per_req"]
    print()
    print("| target | req/s (median) | p50 | p99 | server CPU per request | req/s / baseline (paired) |")
    print("|---|---|---|---|---|---|")
    for name in names:
        m = med[name]
        print(
            f"| {name} | {m['rps']:.0f} | {m['p50_ms']:.3f} ms | {m['p99_ms']:.3f} ms "
            f"| {m['cpu_us_per_req']:.1f} µs | {paired[name]:.2f}x |"
        )
    print(
        f"\nstoragesvc / baseline requests/s (median of per-round ratios): {ratio:.2f}x (target >= 0.90); "
        f"by server CPU per request: {cpu_ratio:.2f}x"
    )
    print(f"storagesvc peak RSS: {rss:.1f} MiB (target < 15)")
    print(
        json.dumps(
            {
                "ratio": round(ratio, 3),
                "cpu_ratio": round(cpu_ratio, 3),
                "peak_rss_mib": round(rss, 1),
                **{f"paired_{n}": round(v, 3) for n, v in paired.items()},
                **{f"{k}_{n}": round(v, 3) for n, m in med.items() for k, v in m.items()},
            }
        )
    )


if __name__ == "__main__":
    main()
