#!/usr/bin/env python3
"""End-to-end benchmark: apply, no-op plan (with and without refresh) and destroy of N mcloud
instances against a `skyform sim` process on loopback (its own process, so its CPU is not
skyform's). Prints a Markdown table per step: wall-clock seconds, skyform's CPU (user+sys),
the simulator's CPU, skyform's peak RSS, API calls in total and per route (from the
simulator's request counters), and the bytes of state files on disk after the step.

    python3 scripts/bench.py [--sizes 250,500,1000] [--parallelism 10] [--latency-ms 20]
                             [--bin PATH] [--steps apply,plan,plan-norefresh,destroy]

Uses $CARGO_TARGET_DIR/release/skyform or target/release/skyform unless --bin says otherwise
(build it first with `cargo build --release`). Also prints the load average at the start, so
each table says under what load it was taken.
"""
import argparse
import resource
import json
import os
import subprocess
import sys
import tempfile
import time
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN = os.path.join(os.environ.get("CARGO_TARGET_DIR", os.path.join(ROOT, "target")), "release", "skyform")

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


def timed(args, cwd):
    """(wall s, user+sys CPU s, peak RSS MB) of one skyform run, from wait4's rusage."""
    with tempfile.TemporaryFile() as out:
        start = time.monotonic()
        p = subprocess.Popen([BIN, "-no-color"] + args, cwd=cwd, stdout=out, stderr=subprocess.STDOUT)
        _, status, ru = os.wait4(p.pid, 0)
        elapsed = time.monotonic() - start
        p.returncode = os.waitstatus_to_exitcode(status)
        if p.returncode not in (0, 2):
            out.seek(0)
            sys.exit("skyform %s failed:\n%s" % (" ".join(args), out.read().decode()))
    return elapsed, ru.ru_utime + ru.ru_stime, ru.ru_maxrss / 1024.0


def proc_cpu(pid):
    """CPU seconds (user+sys) used so far by a running process."""
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def dir_bytes(path):
    total = 0
    for root, _, files in os.walk(path):
        for name in files:
            try:
                total += os.path.getsize(os.path.join(root, name))
            except OSError:
                pass
    return total


def calls(endpoint):
    counts = http("GET", endpoint + "/_sim/requests") or {}
    http("DELETE", endpoint + "/_sim/requests")
    return sum(counts.values()), counts


STEPS = {
    "apply": ("apply", ["apply", "-auto-approve"]),
    "plan": ("plan (refresh, no changes)", ["plan", "-detailed-exitcode"]),
    "plan-norefresh": ("plan -refresh=false", ["plan", "-detailed-exitcode", "-refresh=false"]),
    "destroy": ("destroy", ["destroy", "-auto-approve"]),
}


def main():
    global BIN
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", default="250,500,1000")
    ap.add_argument("--parallelism", type=int, default=10)
    ap.add_argument("--latency-ms", type=int, default=20)
    ap.add_argument("--bin", default=BIN)
    ap.add_argument("--steps", default="apply,plan,plan-norefresh,destroy")
    a = ap.parse_args()
    BIN = a.bin
    if not os.path.exists(BIN):
        sys.exit("build first: cargo build --release (or pass --bin)")
    print("binary: %s; load average at start: %s; latency %d ms; parallelism %d" % (
        BIN, " ".join("%.2f" % x for x in os.getloadavg()), a.latency_ms, a.parallelism))
    print()
    print("| instances | step | wall s | skyform CPU s | sim CPU s | peak RSS MB | API calls | calls by route | state bytes |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- |")
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
                calls(endpoint)
                for key in a.steps.split(","):
                    name, args = STEPS[key]
                    if key in ("apply", "destroy"):
                        args = args + ["-parallelism=%d" % a.parallelism]
                    sim_before = proc_cpu(sim.pid)
                    secs, cpu, rss = timed(args, work)
                    sim_cpu = proc_cpu(sim.pid) - sim_before
                    total, by_route = calls(endpoint)
                    routes = ", ".join("%s: %d" % (k, v) for k, v in sorted(by_route.items()))
                    state = dir_bytes(os.path.join(work, "state")) if os.path.isdir(os.path.join(work, "state")) else dir_bytes(work)
                    print("| %d | %s | %.2f | %.2f | %.2f | %.0f | %d | %s | %d |" % (
                        n, name, secs, cpu, sim_cpu, rss, total, routes, state), flush=True)
            finally:
                sim.kill()
                sim.wait()


if __name__ == "__main__":
    main()
