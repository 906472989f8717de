#!/usr/bin/env python3
"""An independent server for Huawei ROMA Connect `CheckRomaInstanceListV2` (seed 002,
`GET /v2/{project_id}/instances` with `X-Auth-Token`) and the IAM token call it needs
(`POST /v3/auth/tokens`, reference Part 2.3), both on one port.

Written from the seed and the reference alone. Its readings where they are silent
(docs/simulators.md, "Independent servers"):

- Paging: `offset` (default 0, >= 0) counts instances, `limit` (default 10, 1..100);
  anything else is a 400 `ROMA.00013000` naming the parameter, in the seed's words
  (`Invalid parameter value,parameterName:limit. Please refer to the support documentation`).
  `total` is the count of all matches, `size` the count on this page. `status` filters.
- 401 `ROMA.00012000 "Incorrect token or token resolution failed"` for a missing, unknown
  or expired token; 403 `ROMA.00012000 "No permissions to request this method"` for a token
  of another project. Unknown paths answer 404 in the API gateway's shape (`APIGW.0101`).
- IAM: a token is issued (201, header `X-Subject-Token`) for the configured user, domain and
  a project scope by name or id; wrong credentials give Keystone's 401 body
  `{"error": {"code": 401, "message": ..., "title": "Unauthorized"}}`. Tokens live
  `--token-ttl-s` seconds (default 24 h).
- `--fail-requests N`: the first N instance lists answer 500 `ROMA.00011000 "System error"`.

Run: `python3 roma_server.py --listen 127.0.0.1:0 [--project-id P] [--project-name cn-north-4]
[--user-name U] [--password W] [--domain-name D] [--instances 23]`.
"""

import json
import re
import string
import threading
import time
from datetime import datetime, timedelta, timezone
from urllib.parse import parse_qs, urlsplit

import indep_common as common

STATUSES = ("RUNNING", "RUNNING", "CREATING", "ERROR", "RUNNING", "DELETING", "CREATE_FAILED")


class Roma:
    def __init__(self, knobs, args):
        self.knobs = knobs
        self.calls = common.Calls()
        self.args = args
        self.lock = threading.Lock()
        self.tokens = {}  # token -> (project id, expiry monotonic)
        self.fail_left = max(0, args.fail_requests)
        rng = knobs.rng
        self.rng = rng
        self.instances = []
        for n in range(max(0, args.instances)):
            def hexid(k):
                return "".join(rng.choice("0123456789abcdef") for _ in range(k))
            uid = "%s-%s-4%s-%s-%s" % (hexid(8), hexid(4), hexid(3), hexid(4), hexid(12))
            status = STATUSES[n % len(STATUSES)]
            created = datetime(2019, 12, 6, 6, 49, 4, tzinfo=timezone.utc) + timedelta(hours=n)
            self.instances.append({
                "id": uid, "name": "roma-%02d" % n, "description": " ",
                "flavor_id": "00400-30101-0--0", "flavor_type": ("basic", "professional")[n % 2],
                "cpu_arch": "x86_64", "vpc_id": hexid(8) + "-a9c0-4ee4-ac44-93bfdfbf3340",
                "subnet_id": "8e2ee0d5-0f1d-4067-965f-caf00dd65529",
                "security_group_id": "56275464-d5f1-417d-a73b-92ee479e91e2",
                "publicip_enable": n % 2 == 0,
                "publicip_id": hexid(8) + "-498d-42fb-bbc7-d01ba1652bfc" if n % 2 == 0 else "",
                "publicip_address": "139.9.140.%d" % (10 + n) if n % 2 == 0 else "",
                "status": status,
                "error_code": "ROMA.00010001" if "FAIL" in status or status == "ERROR" else "",
                "error_msg": "creation failed" if "FAIL" in status or status == "ERROR" else "",
                "charge_type": ("prePaid", "postPaid")[n % 2],
                "project_id": args.project_id,
                "create_time": created.strftime("%Y-%m-%dT%H:%M:%SZ"),
                "update_time": created.strftime("%Y-%m-%dT%H:%M:%SZ"),
                "maintain_begin": "22:00:00", "maintain_end": "02:00:00",
                "available_zone_ids": ["9f1c5806706d4c1fb0eb72f0a9b18c77"],
                "enterprise_project_id": "0",
                "created_user": {"user_id": "u-" + hexid(8), "user_name": args.user_name},
                "last_updated_user": {"user_id": "u-" + hexid(8), "user_name": args.user_name},
            })

    def _request_id(self):
        return "".join(self.rng.choice("0123456789abcdef") for _ in range(32))

    def _error(self, status, code, msg):
        return common.Reply(status, {"error_code": code, "error_msg": msg,
                                     "error_details": msg, "request_id": self._request_id()})

    def handle(self, method, raw_path, headers, raw_body):
        parts = urlsplit(raw_path)
        path = parts.path
        if path == "/v3/auth/tokens":
            self.calls.record("%s /v3/auth/tokens" % method)
            if method != "POST":
                return self._keystone(405, "Method Not Allowed", "The method is not allowed.")
            return self._issue(parts.query, raw_body)
        m = re.fullmatch(r"/v2/([^/]+)/instances", path)
        if m and method == "GET":
            self.calls.record("GET /v2/:project_id/instances")
            return self._list(m.group(1), parts.query, headers)
        self.calls.record("%s ?" % method)
        return self._error(404, "APIGW.0101",
                           "The API does not exist or has not been published in the environment")

    # IAM

    def _keystone(self, code, title, message):
        return common.Reply(code, {"error": {"code": code, "message": message, "title": title}})

    def _issue(self, query, raw_body):
        try:
            doc = json.loads(raw_body or b"null")
            auth = doc["auth"]
            identity = auth["identity"]
            user = identity["password"]["user"]
            scope = auth["scope"]
            if "password" not in identity["methods"]:
                raise KeyError("methods")
        except (ValueError, KeyError, TypeError):
            return self._keystone(400, "Bad Request", "The request body is malformed.")
        a = self.args
        domain = user.get("domain") if isinstance(user.get("domain"), dict) else {}
        if user.get("name") != a.user_name or user.get("password") != a.password \
                or domain.get("name") != a.domain_name:
            return self._keystone(401, "Unauthorized", "The username or password is wrong.")
        project = scope.get("project") if isinstance(scope, dict) else None
        if not isinstance(project, dict) or not (project.get("name") == a.project_name
                                                 or project.get("id") == a.project_id):
            return self._keystone(401, "Unauthorized",
                                  "The project in the scope does not exist or is not yours.")
        token = "MII" + "".join(self.rng.choice(string.ascii_letters + string.digits + "+-")
                                for _ in range(240))
        with self.lock:
            self.tokens[token] = (a.project_id, time.monotonic() + a.token_ttl_s)
        issued = datetime.now(timezone.utc)
        expires = issued + timedelta(seconds=a.token_ttl_s)
        fmt = "%Y-%m-%dT%H:%M:%S.%fZ"
        body = {"token": {
            "expires_at": expires.strftime(fmt), "issued_at": issued.strftime(fmt),
            "methods": ["password"],
            "project": {"id": a.project_id, "name": a.project_name,
                        "domain": {"id": "d-" + a.domain_name, "name": a.domain_name}},
            "user": {"id": "u-" + a.user_name, "name": a.user_name, "password_expires_at": "",
                     "domain": {"id": "d-" + a.domain_name, "name": a.domain_name}},
            "roles": [{"id": "0", "name": "op_service"}],
        }}
        if not parse_qs(query).get("nocatalog", [""])[0]:
            body["token"]["catalog"] = []
        return common.Reply(201, body, headers={"X-Subject-Token": token},
                            content_type="application/json;charset=UTF-8")

    # ROMA

    def _list(self, project_id, query_text, headers):
        token = headers.get("X-Auth-Token", "")
        with self.lock:
            held = self.tokens.get(token)
        if held is None or time.monotonic() >= held[1]:
            return self._error(401, "ROMA.00012000", "Incorrect token or token resolution failed")
        if held[0] != project_id:
            return self._error(403, "ROMA.00012000", "No permissions to request this method")
        with self.lock:
            if self.fail_left > 0:
                self.fail_left -= 1
                return self._error(500, "ROMA.00011000", "System error")
        query = parse_qs(query_text, keep_blank_values=True)
        values = {}
        for name, default, low, high in (("offset", 0, 0, 10 ** 6), ("limit", 10, 1, 100)):
            text = query.get(name, [str(default)])[0]
            if not re.fullmatch(r"\d{1,7}", text) or not low <= int(text) <= high:
                return self._error(400, "ROMA.00013000",
                                   "Invalid parameter value,parameterName:%s. Please refer to the "
                                   "support documentation" % name)
            values[name] = int(text)
        found = self.instances
        if "status" in query:
            found = [i for i in found if i["status"] == query["status"][0]]
        page = found[values["offset"]:values["offset"] + values["limit"]]
        return common.Reply(200, {"total": len(found), "size": len(page), "instances": page})

    def inspect(self, method, path, raw_body):
        p = urlsplit(path).path
        if p == "/_indep/calls" and method == "GET":
            return common.Reply(200, self.calls.snapshot())
        if p == "/_indep/calls" and method == "DELETE":
            self.calls.reset()
            return common.Reply(200, {})
        if p == "/_indep/objects" and method == "GET":
            return common.Reply(200, {"instances": self.instances})
        return common.Reply(404, {"error": "no such test endpoint"})

    def throttle_reply(self):
        return self._error(429, "APIGW.0308", "The throttling threshold has been reached")


def parser():
    p = common.knob_parser(__doc__.splitlines()[0])
    p.add_argument("--project-id", default="106506b9a92342df9a5025fc12351cfc")
    p.add_argument("--project-name", default="cn-north-4")
    p.add_argument("--user-name", default="indep-user")
    p.add_argument("--password", default="indep-password")
    p.add_argument("--domain-name", default="indep-domain")
    p.add_argument("--instances", type=int, default=23)
    p.add_argument("--token-ttl-s", type=float, default=86400.0)
    p.add_argument("--fail-requests", type=int, default=0)
    return p


def main(argv=None):
    args = parser().parse_args(argv)
    common.serve(Roma(common.Knobs(args), args), args)


if __name__ == "__main__":
    main()
