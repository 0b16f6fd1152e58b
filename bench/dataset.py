#!/usr/bin/env python3
"""storagesvc with a user's dataset: memory and load time per dataset size, and
record requests/s with a 100 MB dataset next to the embedded one.

Generates `DATA_FILE`s of the documented shape (records of ~130 bytes, 6
fields; partitions of up to 100 000 ids) of 1, 10, 100 and 500 MB into a
temporary directory (never committed), starts the release storagesvc on each,
and reports the time until it answers /healthz (it listens only once the data
is in), RSS after load and peak RSS (VmHWM), each as a ratio to the file size.
Targets: RSS and peak <= 2x the file size (plus a few MiB of process); load
<= 1 s per 100 MB; requests/s with 100 MB >= 0.9x the embedded dataset's.

`--compare BINARY` measures another storagesvc build on the same files.

Usage: bench/dataset.py [--sizes 1,10,100,500] [--rounds 5] [--compare BINARY]
"""

import argparse
import json
import os
import random
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import common

PARTITION_IDS = 100_000  # the largest partition the issue names
WORDS = "alpha bravo charlie delta echo foxtrot golf hotel india juliet kilo lima".split()


def generate(path, megabytes, seed=7):
    """A dataset of about `megabytes` MB: {pk: {id: record}}, records ~130 bytes."""
    rng = random.Random(seed)
    target = megabytes * 1_000_000
    written, n, partition = 0, 0, 0
    with open(path, "w") as f:
        f.write("{")
        while written < target:
            f.write(("," if partition else "") + f'\n"p{partition:03d}": {{')
            for i in range(PARTITION_IDS):
                record = {
                    "id": f"r{n:09d}",
                    "name": f"{rng.choice(WORDS)} {rng.choice(WORDS)}",
                    "email": f"user{n}@example.com",
                    "active": rng.random() < 0.5,
                    "score": round(rng.random() * 1000, 2),
                    "tags": rng.sample(WORDS, 2),
                }
                line = ("," if i else "") + f'\n"r{n:09d}": ' + json.dumps(record)
                f.write(line)
                written += len(line)
                n += 1
                if written >= target:
                    break
            f.write("}")
            partition += 1
        f.write("\n}\n")
    return n


def load(binary, data_file, cpu):
    """Starts `binary` on `data_file`; returns (process, port, seconds until ready)."""
    started = time.monotonic()
    proc, port = common.start_ready([binary], {"DATA_FILE": data_file} if data_file else {}, cpu, timeout=300)
    return proc, port, time.monotonic() - started


def memory(files, binaries, cpu):
    """Ready time, RSS and peak RSS of each build on each file; prints a table."""
    rows = []
    print("\n| build | file | ready after | per 100 MB | RSS | RSS / file | peak RSS | peak / file |")
    print("|---|---|---|---|---|---|---|---|")
    for path in files.values():
        size = os.path.getsize(path)
        for name, binary in binaries.items():
            proc, _, ready = load(binary, path, cpu)
            try:
                time.sleep(0.2)
                rss, peak = common.rss_mib(proc.pid), common.peak_rss_mib(proc.pid)
            finally:
                common.stop(proc)
            row = {
                "build": name,
                "file_mb": round(size / 1e6, 1),
                "ready_s": round(ready, 3),
                "s_per_100mb": round(ready / (size / 1e8), 3),
                "rss_mib": round(rss, 1),
                "rss_ratio": round(rss / (size / 2**20), 2),
                "peak_mib": round(peak, 1),
                "peak_ratio": round(peak / (size / 2**20), 2),
            }
            rows.append(row)
            print(
                f"| {name} | {row['file_mb']} MB | {ready:.2f} s | {row['s_per_100mb']:.2f} s "
                f"| {rss:.0f} MiB | {row['rss_ratio']:.2f}x | {peak:.0f} MiB | {row['peak_ratio']:.2f}x |",
                flush=True,
            )
    return rows


def throughput(binary, data_file, rounds, seconds, server_cpu, load_cpu):
    """One record's requests/s: embedded dataset vs `data_file`, side by side."""
    procs = {}
    try:
        procs["embedded"] = load(binary, None, server_cpu)
        procs["100 MB"] = load(binary, data_file, server_cpu)
        urls = {
            "embedded": f"http://127.0.0.1:{procs['embedded'][1]}/data/orders/ord_20240",
            # A record in the middle of a 100 000-id partition.
            "100 MB": f"http://127.0.0.1:{procs['100 MB'][1]}/data/p002/r000250000",
        }
        print(f"\n{rounds} rounds x {seconds}s: one record, embedded vs 100 MB dataset", flush=True)
        med = common.rounds(
            list(urls),
            rounds,
            lambda n: common.wrk(urls[n], seconds, 32, load_cpu, server_pid=procs[n][0].pid),
            warmup=lambda n: common.wrk(urls[n], 1, 32, load_cpu),
        )
    finally:
        for proc, _, _ in procs.values():
            common.stop(proc)
    paired = med.pop("paired")
    for name in urls:
        m = med[name]
        print(f"  {name}: {m['rps']:.0f} req/s, p50 {m['p50_ms']:.3f} ms, p99 {m['p99_ms']:.3f} ms")
    print(f"100 MB / embedded requests/s (paired): {paired['100 MB']:.2f}x (target >= 0.90)")
    return {"paired_ratio": round(paired["100 MB"], 3), **med}


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="1,10,100,500", help="dataset sizes in MB")
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--seconds", type=int, default=3)
    ap.add_argument("--compare", metavar="BINARY", help="another storagesvc build to measure on the same files")
    args = ap.parse_args()
    common.need("wrk", "cargo")
    print("building release storagesvc …", flush=True)
    common.cargo_build("-p", "storagesvc", "--bin", "storagesvc")
    binaries = {"storagesvc": os.path.join(common.ROOT, "target", "release", "storagesvc")}
    if args.compare:
        binaries["compared"] = os.path.abspath(args.compare)
    server_cpu, load_cpu = common.cpus()
    results = {}
    with tempfile.TemporaryDirectory(prefix="bench-dataset-") as work:
        files = {}
        for mb in (int(s) for s in args.sizes.split(",")):
            files[mb] = os.path.join(work, f"data-{mb}mb.json")
            records = generate(files[mb], mb)
            print(f"generated {mb} MB: {records} records, {os.path.getsize(files[mb]) / 1e6:.1f} MB", flush=True)
        results["memory"] = memory(files, binaries, server_cpu)
        if 100 in files:
            results["throughput"] = throughput(
                binaries["storagesvc"], files[100], args.rounds, args.seconds, server_cpu, load_cpu
            )
    print(json.dumps(results))


if __name__ == "__main__":
    main()
