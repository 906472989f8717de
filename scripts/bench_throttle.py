#!/usr/bin/env python3
"""How a client meets a throttling cloud: one `skyform apply` of N mcloud instances
(-parallelism=10) against `skyform sim -latency-ms 20 -throttle 10` (10 requests a second),
then the simulator's request log: requests in all, answers of HTTP 429 (log lines ending
` -> 429`), and the machines made.

    python3 scripts/bench_throttle.py --client BIN [--sim BIN] [--instances 100]

`--sim` must be a build whose simulator marks refused requests in its log (this branch or
later); `--client` may be any build, so an older client can be compared against it.
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench  # noqa: E402  (the same configuration as the fleet benchmark)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--client", required=True)
    ap.add_argument("--sim", default=bench.BIN)
    ap.add_argument("--instances", type=int, default=100)
    a = ap.parse_args()
    with tempfile.TemporaryDirectory() as simdir, tempfile.TemporaryDirectory() as work:
        sim = subprocess.Popen([a.sim, "sim", "-listen", "127.0.0.1:0", "-state-dir", simdir,
                                "-latency-ms", "20", "-throttle", "10"],
                               stdout=subprocess.PIPE, text=True)
        try:
            endpoint = "http://" + sim.stdout.readline().strip().split()[-1]
            with open(os.path.join(work, "main.sky.hcl"), "w") as f:
                f.write(bench.INSTANCE.format(endpoint=endpoint, count=a.instances))
            start = time.monotonic()
            run = subprocess.run([a.client, "-no-color", "apply", "-auto-approve", "-parallelism=10"],
                                 cwd=work, capture_output=True, text=True)
            wall = time.monotonic() - start
            log = json.load(urllib.request.urlopen(endpoint + "/_sim/log"))
            refused = sum(1 for line in log if line.endswith(" -> 429"))
            listed = json.load(urllib.request.urlopen(endpoint + "/v1/instance/list"))
            print("load average %s; client %s: exit %d, %.1f s, %d requests, %d answers of 429, "
                  "%d machines" % (" ".join("%.2f" % x for x in os.getloadavg()), a.client,
                                   run.returncode, wall, len(log), refused,
                                   len(listed.get("content") or [])))
        finally:
            sim.kill()
            sim.wait()


if __name__ == "__main__":
    main()
