#!/usr/bin/env python3
"""Engine-only benchmark: a no-op `plan -refresh=false` of N mcloud instances whose state
already matches the configuration, so the engine does everything a plan does (load and
decode the state, build the graph, evaluate every instance, diff it, render "No changes")
and no cloud API is called. Prints one Markdown row per (shape, size): wall-clock seconds,
CPU (user+sys) and peak RSS from wait4.

    python3 scripts/bench_engine.py [--sizes 1000,10000,100000]
                                    [--shapes count,for_each,module-count,module-for_each]
                                    [--bin PATH] [--repeat 1] [--keep DIR]

Shapes: `count` (one resource, `count = N`), `for_each` (one resource, N keys), and the same
two inside a module called N/100 times (`count` or `for_each` on the call; 100 instances in
each module instance).

The state file is written by this script in the format of docs/state.md, with attributes
exactly as an apply against `skyform sim` records them (the same keys and values, ids and IPs
unique per instance), so it is the state an apply would have left. A plan that is not a no-op
(exit code 2 under -detailed-exitcode) or that fails stops the benchmark: the figures are only
printed for plans that found the state matching. The provider's endpoint is a closed port
(127.0.0.1:9), so any API call would fail the plan: nothing here is network time.
"""
import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN = os.path.join(os.environ.get("CARGO_TARGET_DIR", os.path.join(ROOT, "target")), "release", "skyform")
GROUP = 100  # instances per module instance in the module shapes

PROVIDER = """
provider "mcloud" {
  endpoint = "http://127.0.0.1:9"
}
"""

RESOURCE = """
resource "mcloud_instance" "fleet" {{
  {meta}
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

COUNT_META = "count = {n}"


def foreach_meta(n, prefix="n"):
    """`for_each` over N keys "n0".."n{N-1}"; range() makes at most 1,024 values (as in
    Terraform), so larger sets are made of blocks of 1,000."""
    if isinstance(n, str) or n <= 1000:
        return 'for_each = toset([for i in range(%s) : "%s${i}"])' % (n, prefix)
    blocks = (n + 999) // 1000
    return ('for_each = toset(flatten([for b in range(%d) : [for i in range(1000) : '
            '"%s${b * 1000 + i}" if b * 1000 + i < %d]]))' % (blocks, prefix, n))


def attributes(serial):
    """One instance's attributes as an apply against `skyform sim` records them."""
    return {
        "cloud": "aliyun",
        "data_disk_category": "cloud_efficiency",
        "data_disk_num": 1,
        "data_disk_size": 100,
        "id": "i-%020d" % serial,
        "image_id": "centos7u2_64_40G_cloudinit_20160728.raw",
        "instance_type": "ecs.c2.medium",
        "last_correlation_id": "00000000-0000-4000-8000-%012d" % serial,
        "network": {
            "internet_charge_type": "PayByBandwidth",
            "internet_max_bandwidth_out": 5,
            "security_group": "",
            "subnet_id": "",
            "vpc_id": "",
        },
        "private_ip": "10.%d.%d.%d" % (serial >> 16 & 255, serial >> 8 & 255, serial & 255),
        "public_ip": "47.%d.%d.%d" % (serial >> 16 & 255, serial >> 8 & 255, serial & 255),
        "running": True,
        "status": "running",
        "system_disk_category": "cloud_efficiency",
        "zone": {"region_name": "cn-beijing", "zone_name": "cn-beijing-c"},
    }


def resource_entry(module, keys, first_serial):
    entry = {"mode": "managed", "type": "mcloud_instance", "name": "fleet",
             "provider": 'provider["mcloud"]', "instances": []}
    if module is not None:
        entry = dict([("module", module)] + list(entry.items()))
    for i, key in enumerate(keys):
        entry["instances"].append({
            "index_key": key,
            "attributes": attributes(first_serial + i),
            "sensitive_attributes": [],
            "dependencies": [],
        })
    return entry


def write_workspace(work, shape, n):
    """The configuration and the matching state of one (shape, size)."""
    resources = []
    if shape in ("count", "for_each"):
        meta = COUNT_META.format(n=n) if shape == "count" else foreach_meta(n)
        with open(os.path.join(work, "main.sky.hcl"), "w") as f:
            f.write(PROVIDER + RESOURCE.format(meta=meta))
        keys = list(range(n)) if shape == "count" else sorted("n%d" % i for i in range(n))
        resources.append(resource_entry(None, keys, 1))
    else:
        groups = max(1, n // GROUP)
        inner = n // groups
        kind = shape.split("-", 1)[1]
        call_meta = "count = %d" % groups if kind == "count" else foreach_meta(groups, "g")
        with open(os.path.join(work, "main.sky.hcl"), "w") as f:
            f.write(PROVIDER + '\nmodule "group" {\n  source = "./group"\n  %s\n  size = %d\n}\n'
                    % (call_meta, inner))
        os.makedirs(os.path.join(work, "group"), exist_ok=True)
        meta = COUNT_META.format(n="var.size") if kind == "count" else foreach_meta("var.size")
        with open(os.path.join(work, "group", "main.sky.hcl"), "w") as f:
            f.write('variable "size" {\n  type = number\n}\n' + RESOURCE.format(meta=meta))
        inner_keys = list(range(inner)) if kind == "count" else sorted("n%d" % i for i in range(inner))
        if kind == "count":
            modules = ["module.group[%d]" % g for g in range(groups)]
        else:
            modules = ['module.group["%s"]' % k for k in sorted("g%d" % g for g in range(groups))]
        for g, module in enumerate(modules):
            resources.append(resource_entry(module, inner_keys, 1 + g * inner))
    state = {"version": 4, "serial": 1, "lineage": "0b7ad3b6-2a57-4b7e-9d7f-0d6f6f0a1c11",
             "skyform_version": "0.1.0", "outputs": {}, "resources": resources}
    os.makedirs(os.path.join(work, "state"), exist_ok=True)
    with open(os.path.join(work, "state", "default.json"), "w") as f:
        json.dump(state, f, indent=2)


def timed(args, cwd):
    """(wall s, user+sys CPU s, peak RSS MB) of one skyform run, from wait4's rusage."""
    with tempfile.TemporaryFile() as out:
        start = time.monotonic()
        p = subprocess.Popen([BIN, "-no-color"] + args, cwd=cwd, stdout=out, stderr=subprocess.STDOUT)
        _, status, ru = os.wait4(p.pid, 0)
        elapsed = time.monotonic() - start
        code = os.waitstatus_to_exitcode(status)
        if code != 0:
            out.seek(0)
            sys.exit("skyform %s exited %d (2 = changes: the state did not match):\n%s"
                     % (" ".join(args), code, out.read().decode()[-3000:]))
    return elapsed, ru.ru_utime + ru.ru_stime, ru.ru_maxrss / 1024.0


def main():
    global BIN
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", default="1000,10000,100000")
    ap.add_argument("--shapes", default="count,for_each,module-count,module-for_each")
    ap.add_argument("--bin", default=BIN)
    ap.add_argument("--repeat", type=int, default=1, help="runs per row; the fastest CPU is shown")
    ap.add_argument("--keep", help="write the workspaces under this directory and keep them")
    a = ap.parse_args()
    BIN = a.bin
    if not os.path.exists(BIN):
        sys.exit("build first: cargo build --release (or pass --bin)")
    print("binary: %s; load average at start: %s" % (BIN, " ".join("%.2f" % x for x in os.getloadavg())))
    print()
    print("| instances | shape | wall s | CPU s | peak RSS MB | state bytes |")
    print("| --- | --- | --- | --- | --- | --- |")
    for n in [int(x) for x in a.sizes.split(",")]:
        for shape in a.shapes.split(","):
            if a.keep:
                work = os.path.join(a.keep, "%s-%d" % (shape, n))
                shutil.rmtree(work, ignore_errors=True)
                os.makedirs(work)
            else:
                tmp = tempfile.TemporaryDirectory()
                work = tmp.name
            write_workspace(work, shape, n)
            size = os.path.getsize(os.path.join(work, "state", "default.json"))
            runs = [timed(["plan", "-refresh=false", "-detailed-exitcode"], work)
                    for _ in range(a.repeat)]
            wall, cpu, rss = min(runs, key=lambda r: r[1])
            print("| %d | %s | %.2f | %.2f | %.0f | %d |" % (n, shape, wall, cpu, rss, size), flush=True)
            if not a.keep:
                tmp.cleanup()


if __name__ == "__main__":
    main()
