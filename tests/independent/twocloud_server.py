#!/usr/bin/env python3
"""An independent server for the TwoCloud VM list of seed 001 (获取虚拟机列表):
`GET /twocloud/servers`, HTTP basic auth `{token}:password`, required query `tenant_id`,
`region`, `party`, optional paging `f` (start) and `t` (end).

Written from the seed alone. The seed's answer comes from Werkzeug 0.10 on Python 2.7 over
HTTP/1.0, so this server speaks HTTP/1.0 (one request per connection) with that `Server`
header. Its readings where the seed is silent (docs/simulators.md, "Independent servers"):

- `f` and `t` are 1-based and inclusive (the seed's example asks `f=1&t=10` for ten
  machines); without them every machine is returned; `t` beyond the end is cut short; an
  `f` past the end gives an empty list; `f` < 1, `t` < `f` or a non-number is a 400.
- Errors use the success shape: `{"code": <HTTP status>, "msg": "...", "vm_servers": []}`,
  401 with `WWW-Authenticate: Basic realm="twocloud"` for a missing or unknown token, 400 for a
  missing or bad parameter.
- The answer has no total: a client pages until a page comes back short.
- The machines are generated per (tenant, region, party); only the configured tenant has any.

Run: `python3 twocloud_server.py --listen 127.0.0.1:0 [--token T] [--tenant-id 123]
[--region gz] [--party qcloud] [--servers 25]`; first stdout line `listening on HOST:PORT`.
"""

import base64
import binascii
import re
from urllib.parse import parse_qs, urlsplit

import indep_common as common

PARTIES = ("qcloud", "aliyun", "huawei", "aws")
STATUSES = ("ACTIVE", "ACTIVE", "ACTIVE", "SHUTOFF", "ERROR", "BUILD")


def body(code, msg, servers):
    return {"code": code, "msg": msg, "vm_servers": servers}


class TwoCloud:
    def __init__(self, knobs, token, tenant, region, party, count):
        self.knobs = knobs
        self.calls = common.Calls()
        self.token = token
        self.home = (tenant, region, party)
        rng = knobs.rng
        self.servers = []
        for n in range(count):
            lan = ",".join("192.168.%d.%d" % (n // 200, 2 + n % 200 + k) for k in range(1 + n % 2))
            wan = "" if n % 3 == 2 else "122.22.%d.%d" % (3 + n // 250, 1 + n % 250)
            self.servers.append({
                "instance_name": "vm-%03d" % n,
                "instance_id": "".join(rng.choice("0123456789abcdefghijklmnopqrstuvwxyz")
                                       for _ in range(15)),
                "cpu_num": (1, 2, 4, 8)[n % 4],
                "mem_size": (2, 4, 8, 16)[n % 4],
                "disk_size": 20 + 10 * (n % 5),
                "lan_ip_set": lan,
                "wan_ip_set": wan,
                "status": STATUSES[n % len(STATUSES)],
                "create_at": "2014-07-%02d 15:08:39" % (1 + n % 28),
                "update_at": "2014-08-%02d 17:37:56" % (1 + n % 28),
            })

    def handle(self, method, raw_path, headers, raw_body):
        parts = urlsplit(raw_path)
        if parts.path != "/twocloud/servers":
            self.calls.record("%s ?" % method)
            return common.Reply(404, body(404, "The requested URL was not found on the server.", []))
        self.calls.record("%s /twocloud/servers" % method)
        if method != "GET":
            return common.Reply(405, body(405, "The method is not allowed for the requested URL.", []),
                                headers={"Allow": "GET, HEAD, OPTIONS"})
        if not self._authorised(headers.get("Authorization", "")):
            return common.Reply(401, body(401, "invalid token", []),
                                headers={"WWW-Authenticate": 'Basic realm="twocloud"'})
        query = parse_qs(parts.query, keep_blank_values=True)
        for name in ("tenant_id", "region", "party"):
            if not query.get(name, [""])[0]:
                return common.Reply(400, body(400, "missing required parameter: %s" % name, []))
        if query["party"][0] not in PARTIES:
            return common.Reply(400, body(400, "unknown party: %s" % query["party"][0], []))
        key = (query["tenant_id"][0], query["region"][0], query["party"][0])
        servers = self.servers if key == self.home else []
        start, end = 1, len(servers)
        for name in ("f", "t"):
            if name in query:
                text = query[name][0]
                if not re.fullmatch(r"\d{1,9}", text):
                    return common.Reply(400, body(400, "invalid paging parameter: %s" % name, []))
                if name == "f":
                    start = int(text)
                else:
                    end = int(text)
        if start < 1 or ("t" in query and end < start):
            return common.Reply(400, body(400, "invalid paging range: f=%d t=%d" % (start, end), []))
        return common.Reply(200, body(200, "", servers[start - 1:end]))

    def _authorised(self, header):
        if not header.startswith("Basic "):
            return False
        try:
            text = base64.b64decode(header[6:].strip(), validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            return False
        token, sep, _password = text.partition(":")
        return sep == ":" and token == self.token

    def inspect(self, method, path, raw_body):
        p = urlsplit(path).path
        if p == "/_indep/calls" and method == "GET":
            return common.Reply(200, self.calls.snapshot())
        if p == "/_indep/calls" and method == "DELETE":
            self.calls.reset()
            return common.Reply(200, {})
        if p == "/_indep/objects" and method == "GET":
            return common.Reply(200, {"servers": self.servers})
        return common.Reply(404, {"error": "no such test endpoint"})

    def throttle_reply(self):
        return common.Reply(429, body(429, "Too Many Requests", []), headers={"Retry-After": "1"})


def main(argv=None):
    p = common.knob_parser(__doc__.splitlines()[0])
    p.add_argument("--token", default="indep-token")
    p.add_argument("--tenant-id", default="123")
    p.add_argument("--region", default="gz")
    p.add_argument("--party", default="qcloud")
    p.add_argument("--servers", type=int, default=25)
    args = p.parse_args(argv)
    app = TwoCloud(common.Knobs(args), args.token, args.tenant_id, args.region, args.party,
                   max(0, args.servers))
    common.serve(app, args, handler=common.Http10Handler)


if __name__ == "__main__":
    main()
