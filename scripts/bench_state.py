#!/usr/bin/env python3
"""State backend benchmark: `skyform apply` of N mcloud instances against a `skyform sim`
process on loopback, once with the local backend and once with the pg backend. Prints a
Markdown table: wall-clock seconds, database round trips (statements executed, from
pg_stat_database; every statement skyform runs on the hot path is one round trip) and bytes
written (local: blocks the skyform process wrote to disk, from getrusage; pg: WAL the server
wrote, from pg_current_wal_lsn, plus the size of the stored rows).

    eval "$(scripts/pg-test-server.sh start)"
    python3 scripts/bench_state.py [--count 1000] [--parallelism 10] [--bin PATH]
    scripts/pg-test-server.sh stop "$SKYFORM_TEST_PG_DIR"

Needs psql (from the same PostgreSQL installation) and SKYFORM_TEST_PG_URL.
"""
import argparse
import glob
import os
import resource
import subprocess
import sys
import tempfile
import time
import uuid

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

CONFIG = """
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

PG = """
skyform {{
  backend "pg" {{
    conn_str    = "{url}"
    schema_name = "{schema}"
  }}
}}
"""


def psql(url, sql):
    bins = sorted(glob.glob("/usr/lib/postgresql/*/bin/psql"))
    exe = bins[-1] if bins else "psql"
    out = subprocess.run([exe, url, "-At", "-c", sql], capture_output=True, text=True, check=True)
    return out.stdout.strip()


def pg_counters(url):
    xacts = int(psql(url, "SELECT xact_commit + xact_rollback FROM pg_stat_database WHERE datname = current_database()"))
    wal = psql(url, "SELECT pg_current_wal_lsn()")
    return xacts, wal


def apply(binary, work, parallelism):
    log = os.path.join(work, "apply.log")
    start = time.monotonic()
    with open(log, "w") as out:
        p = subprocess.Popen([binary, "-no-color", "apply", "-auto-approve", "-parallelism=%d" % parallelism],
                             cwd=work, stdout=out, stderr=subprocess.STDOUT)
        _, status, usage = os.wait4(p.pid, 0)
    elapsed = time.monotonic() - start
    p.returncode = os.waitstatus_to_exitcode(status)
    if p.returncode != 0:
        with open(log) as f:
            sys.exit("skyform apply failed:\n" + f.read())
    return elapsed, usage.ru_oublock * 512


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--count", type=int, default=1000)
    ap.add_argument("--parallelism", type=int, default=10)
    ap.add_argument("--bin", default=os.path.join(ROOT, "target", "debug", "skyform"))
    a = ap.parse_args()
    url = os.environ.get("SKYFORM_TEST_PG_URL")
    if not url:
        sys.exit("SKYFORM_TEST_PG_URL is not set; start a server with scripts/pg-test-server.sh start")
    print("| backend | instances | seconds | database round trips | bytes written |")
    print("| --- | --- | --- | --- | --- |")
    for backend in ["local", "pg"]:
        with tempfile.TemporaryDirectory() as simdir, tempfile.TemporaryDirectory() as work:
            sim = subprocess.Popen([a.bin, "sim", "-listen", "127.0.0.1:0", "-state-dir", simdir],
                                   stdout=subprocess.PIPE, text=True)
            try:
                endpoint = "http://" + sim.stdout.readline().strip().split()[-1]
                text = CONFIG.format(endpoint=endpoint, count=a.count)
                schema = "bench_" + uuid.uuid4().hex[:12]
                if backend == "pg":
                    text += PG.format(url=url, schema=schema)
                with open(os.path.join(work, "main.sky.hcl"), "w") as f:
                    f.write(text)
                if backend == "pg":
                    x0, w0 = pg_counters(url)
                secs, disk = apply(a.bin, work, a.parallelism)
                if backend == "pg":
                    x1, w1 = pg_counters(url)
                    wal = int(psql(url, "SELECT pg_wal_lsn_diff('%s', '%s')" % (w1, w0)))
                    rows = psql(url, "SELECT pg_total_relation_size('%s.states') + pg_total_relation_size('%s.journal')" % (schema, schema))
                    # Minus the two statements used to read the counters.
                    print("| pg | %d | %.2f | %d | %d WAL bytes (tables now %s bytes); local disk %d |"
                          % (a.count, secs, x1 - x0 - 2, wal, rows, disk), flush=True)
                else:
                    size = os.path.getsize(os.path.join(work, "state", "default.json"))
                    print("| local | %d | %.2f | 0 | %d (final state file %d bytes) |"
                          % (a.count, secs, disk, size), flush=True)
            finally:
                sim.kill()
                sim.wait()


if __name__ == "__main__":
    main()
