#!/usr/bin/python3
"""Reference measurements with libvirt's own C client (python3-libvirt), for bench/rpc.ts.

Usage: c_client.py URI DOMAIN COUNT [WARMUP]
Prints JSON: the latency in microseconds of COUNT sequential lookupByName + XMLDesc round trips.
"""
import json
import sys
import time

import libvirt


def main() -> None:
    uri, name, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
    warmup = int(sys.argv[4]) if len(sys.argv) > 4 else 50
    conn = libvirt.open(uri)
    # Warm up the connection the same way the TypeScript side does.
    for _ in range(warmup):
        conn.lookupByName(name).XMLDesc(0)
    latencies = []
    for _ in range(count):
        start = time.perf_counter_ns()
        conn.lookupByName(name).XMLDesc(0)
        latencies.append((time.perf_counter_ns() - start) / 1000)
    conn.close()
    json.dump({"latenciesUs": latencies}, sys.stdout)


if __name__ == "__main__":
    main()
