#!/usr/bin/env python3
"""End-to-end benchmark: apply, no-op plan (refresh) and destroy of N mcloud instances
against a `skyform sim` process on loopback. Prints a Markdown table of wall-clock seconds
and API calls (read from the simulator's request counters).

    python3 scripts/bench.py [--sizes 100,500,1000] [--parallelism 10] [--latency-ms 0]

Uses target/release/skyform (build it first with `cargo build --release`).
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN = os.path.join(ROOT, "target", "release", "skyform")

INSTANCE = """
provider "mcloud" {{
  endpoint = "{endpoint}"
}}

resource "mcloud_instance" "fleet" {{
  count                = {count}
  cloud                = "aliyun"
  instance_type        = "ecs.c2.medium"
  image_id             = "centos7u2_64_40G_cloudinit_20160728.raw"
  system_disk_category = "cloud_efficiency"
  data_disk_size       = 100
  data_disk_num        = 1
  data_disk_category   = "cloud_efficiency"

  network {{
    internet_charge_type       = "PayByBandwidth"
    internet_max_bandwidth_out = 5
  }}

  zone {{
    region_name = "cn-beijing"
    zone_name   = "cn-beijing-c"
  }}
}}
"""


def http(method, url):
    req = urllib.request.Request(url, method=method)
    with urllib.request.urlopen(req, timeout=30) as r:
        body = r.read()
    return json.loads(body) if body else None


def run(args, cwd):
    start = time.monotonic()
    p = subprocess.run([BIN, "-no-color"] + args, cwd=cwd, capture_output=True, text=True)
    elapsed = time.monotonic() - start
    if p.returncode not in (0, 2):
        sys.exit("skyform %s failed:\n%s%s" % (" ".join(args), p.stdout, p.stderr))
    return elapsed


def calls(endpoint):
    counts = http("GET", endpoint + "/_sim/requests") or {}
    http("DELETE", endpoint + "/_sim/requests")
    return sum(counts.values()), counts


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", default="100,500,1000")
    ap.add_argument("--parallelism", type=int, default=10)
    ap.add_argument("--latency-ms", type=int, default=0)
    a = ap.parse_args()
    if not os.path.exists(BIN):
        sys.exit("build first: cargo build --release")
    print("| instances | step | seconds | API calls | calls by route |")
    print("| --- | --- | --- | --- | --- |")
    for n in [int(x) for x in a.sizes.split(",")]:
        with tempfile.TemporaryDirectory() as simdir, tempfile.TemporaryDirectory() as work:
            sim = subprocess.Popen(
                [BIN, "sim", "-listen", "127.0.0.1:0", "-state-dir", simdir, "-latency-ms", str(a.latency_ms)],
                stdout=subprocess.PIPE, text=True)
            try:
                addr = sim.stdout.readline().strip().split()[-1]
                endpoint = "http://" + addr
                with open(os.path.join(work, "main.sky.hcl"), "w") as f:
                    f.write(INSTANCE.format(endpoint=endpoint, count=n))
                steps = [
                    ("apply", ["apply", "-auto-approve", "-parallelism=%d" % a.parallelism]),
                    ("plan (refresh, no changes)", ["plan", "-detailed-exitcode"]),
                    ("destroy", ["destroy", "-auto-approve", "-parallelism=%d" % a.parallelism]),
                ]
                calls(endpoint)
                for name, args in steps:
                    secs = run(args, work)
                    total, by_route = calls(endpoint)
                    routes = ", ".join("%s: %d" % (k, v) for k, v in sorted(by_route.items()))
                    print("| %d | %s | %.2f | %d | %s |" % (n, name, secs, total, routes), flush=True)
            finally:
                sim.kill()
                sim.wait()


if __name__ == "__main__":
    main()
