#!/usr/bin/env python3
"""An independent server for JD Cloud VM API v1 (seed 004 and `shared/reference/cloud-apis.md`
Part 1): the instance lifecycle and the reads that plan checks use.

Written from the seed and the reference alone, not from skyform's simulator. Its own
choices where the sources are silent (see docs/simulators.md, "Independent servers"):

- Every request must carry a valid JDCLOUD2 (or JDCLOUD3) signature, a date within 5
  minutes, and a nonce never seen before (a replayed nonce is refused: 401).
- Instance ids are `i-` and 10 lower-case letters/digits (the reference's `i-uvvtdzuxre`);
  lists are newest first; `pageSize` outside [10, 100] is refused (400 INVALID_ARGUMENT);
  unknown filter names are refused.
- Transitions take `--transition-ms`; any call on an instance in a transient state, or in
  the wrong state, is 400 FAILED_PRECONDITION; deleteInstance switches to `deleting` at
  once and the instance vanishes (404) when the transition ends.
- 429 RATE_LIMIT (`--throttle-rps`) carries no Retry-After (the reference leaves it open).
- On errors the envelope has no `result`.

Run: `python3 jdcloud_server.py --listen 127.0.0.1:0 [--access-key AK --secret-key SK]
[--transition-ms N] [...]`; first stdout line `listening on HOST:PORT`. Test endpoints:
`GET /_indep/calls` (operation names), `GET /_indep/objects`, `DELETE /_indep/calls`.
"""

import json
import re
import string
import threading
import time
from datetime import datetime, timezone
from urllib.parse import parse_qsl, unquote, urlsplit

import indep_common as common
import jdcloud_signer as signer

REGIONS = {"cn-north-1": ["cn-north-1a", "cn-north-1b"], "cn-south-1": ["cn-south-1a"],
           "cn-east-1": ["cn-east-1a"], "cn-east-2": ["cn-east-2a"]}

# The catalog (own values; names in the style of the reference's examples).
INSTANCE_TYPES = [
    # type, family, cpu, memoryMB, generation, in stock
    ("g.n2.medium", "g.n2", 1, 4096, 2, True),
    ("g.n2.large", "g.n2", 2, 8192, 2, True),
    ("g.n2.xlarge", "g.n2", 4, 16384, 2, True),
    ("c.n2.large", "c.n2", 2, 4096, 2, True),
    ("c.n1.large", "c.n1", 2, 4096, 1, False),  # sold out everywhere
]
IMAGES = {
    # imageId: (name, platform, osType, rootDeviceType, systemDiskSizeGB, source, excluded types)
    "7f3c2a10-9d4e-4b61-8a55-0c1d2e3f4a5b": ("CentOS 7.9 64位", "CentOS", "linux", "cloudDisk", 40,
                                             "public", ["g.n2.medium"]),
    "0a9b8c7d-6e5f-4a3b-9c2d-1e0f9a8b7c6d": ("Ubuntu 22.04 64位", "Ubuntu", "linux", "cloudDisk", 40,
                                             "public", []),
    "c4d5e6f7-a8b9-4c0d-8e1f-2a3b4c5d6e7f": ("my-golden", "Other Linux", "linux", "cloudDisk", 40,
                                             "private", []),
}
SUBNETS = {"subnet-k7q2m9x4ab": "vpc-p3n8w1z6cd", "subnet-h5r0t2y8ef": "vpc-p3n8w1z6cd"}
INSTANCE_QUOTA = 20

TRANSIENT = {"pending", "starting", "stopping", "rebooting", "rebuilding", "resizing", "deleting"}
INSTANCE_FILTERS = {"instanceId", "az", "vpcId", "status", "imageId", "networkInterfaceId",
                    "subnetId", "dedicatedHostId", "dedicatedPoolId", "instanceType",
                    "privateIpAddress", "name", "agId", "faultDomain", "elasticIpAddress"}
NAME_RE = re.compile(r"^[\w\u4e00-\u9fff.\-]{2,128}$")


def now_iso():
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


class JdError(Exception):
    def __init__(self, code, status, message):
        super().__init__(message)
        self.code, self.status, self.message = code, status, message


def invalid(message):
    return JdError(400, "INVALID_ARGUMENT", message)


def precondition(message):
    return JdError(400, "FAILED_PRECONDITION", message)


def not_found(message):
    return JdError(404, "NOT_FOUND", message)


class Cloud:
    def __init__(self, knobs, secrets):
        self.knobs = knobs
        self.secrets = secrets
        self.calls = common.Calls()
        self.lock = threading.Lock()
        self.rng = knobs.rng
        self.instances = {}  # id -> record {"doc", "phase", "target", "until", "seq"}
        self.tokens = {}  # clientToken -> [instance ids]
        self.nonces = {}  # nonce -> time seen
        self.seq = 0
        self.used_ips = set()

    # ---- helpers --------------------------------------------------------------------------

    def _request_id(self):
        return "".join(self.rng.choice(string.ascii_lowercase + string.digits) for _ in range(32))

    def _reply(self, status, payload, rid):
        return common.Reply(status, payload, headers={"x-jdcloud-request-id": rid},
                            content_type="application/json; charset=utf-8")

    def _instance_id(self):
        while True:
            iid = "i-" + "".join(self.rng.choice(string.ascii_lowercase + string.digits)
                                 for _ in range(10))
            if iid not in self.instances:
                return iid

    def _private_ip(self):
        while True:
            ip = "10.%d.%d.%d" % (self.rng.randint(0, 255), self.rng.randint(0, 255),
                                  self.rng.randint(2, 254))
            if ip not in self.used_ips:
                self.used_ips.add(ip)
                return ip

    def _settle(self, rec):
        """Ends a transition whose time is up; True if the instance still exists."""
        if rec["phase"] in TRANSIENT and time.monotonic() >= rec["until"]:
            if rec["target"] is None:
                return False
            rec["phase"] = rec["target"]
        rec["doc"]["status"] = rec["phase"]
        return True

    def _live(self):
        """All instances that still exist (settling transitions first)."""
        gone = [i for i, r in self.instances.items() if not self._settle(r)]
        for i in gone:
            del self.instances[i]
        return self.instances

    def _get(self, iid):
        rec = self._live().get(iid)
        if rec is None:
            raise not_found("instance %s not found" % iid)
        return rec

    def _transition(self, rec, transient, target):
        rec["phase"] = transient
        rec["target"] = target
        rec["until"] = time.monotonic() + self.knobs.transition
        self._settle(rec)

    def _idle(self, rec, allowed, op):
        self._settle(rec)
        if rec["phase"] in TRANSIENT:
            raise precondition("instance %s has a task in progress (status %s)"
                               % (rec["doc"]["instanceId"], rec["phase"]))
        if rec["phase"] not in allowed:
            raise precondition("%s is not allowed when the instance is %s; it must be %s"
                               % (op, rec["phase"], " or ".join(allowed)))

    # ---- dispatch -------------------------------------------------------------------------

    def handle(self, method, raw_path, headers, body):
        rid = self._request_id()
        parts = urlsplit(raw_path)
        lower = {}
        for k, v in headers.items():
            lower.setdefault(k.lower(), []).append(v)
        if "host" not in lower:
            lower["host"] = [""]
        try:
            op, region, args = self._route(method, parts.path)
        except JdError as e:
            self.calls.record("unknown")
            return self._reply(e.code, {"requestId": rid, "error": {
                "code": e.code, "status": e.status, "message": e.message}}, rid)
        self.calls.record(op)
        try:
            cred = signer.verify(method, parts.path, parts.query, lower, body, self.secrets)
            self._check_fresh(cred, region)
        except signer.AuthError as e:
            return self._reply(401, {"requestId": rid, "error": {
                "code": 401, "status": "UNAUTHENTICATED", "message": str(e)}}, rid)
        query = parse_qsl(parts.query, keep_blank_values=True)
        try:
            payload = {}
            if method in ("POST", "PUT", "PATCH"):
                try:
                    payload = json.loads(body or b"{}")
                except ValueError:
                    raise invalid("the request body is not JSON")
                if not isinstance(payload, dict):
                    raise invalid("the request body must be a JSON object")
                payload = {k: v for k, v in payload.items() if v is not None}
            with self.lock:
                result = getattr(self, "op_" + op)(region, args, dict_multi(query), payload)
            reply = self._reply(200, {"requestId": rid, "result": result}, rid)
        except JdError as e:
            reply = self._reply(e.code, {"requestId": rid, "error": {
                "code": e.code, "status": e.status, "message": e.message}}, rid)
        reply.route = op
        return reply

    def _check_fresh(self, cred, region):
        if cred["service"] != "vm":
            raise signer.AuthError("credential scope names service %s, not vm" % cred["service"])
        if cred["region"] != region:
            raise signer.AuthError("credential scope region %s does not match %s"
                                   % (cred["region"], region))
        signed_at = datetime.strptime(cred["date"], "%Y%m%dT%H%M%SZ").replace(tzinfo=timezone.utc)
        skew = abs((datetime.now(timezone.utc) - signed_at).total_seconds())
        if skew > 300:
            raise signer.AuthError("x-jdcloud-date is more than 5 minutes away from the server time")
        with self.lock:
            now = time.monotonic()
            if len(self.nonces) > 10000:
                self.nonces = {n: t for n, t in self.nonces.items() if now - t < 600}
            if cred["nonce"] in self.nonces:
                raise signer.AuthError("x-jdcloud-nonce was used before")
            self.nonces[cred["nonce"]] = now

    def _route(self, method, raw):
        path = unquote(raw)
        m = re.fullmatch(r"/v1/regions/([^/]+)(/.*)", path)
        if not m:
            raise not_found("no such API: %s %s" % (method, path))
        region, rest = m.group(1), m.group(2)
        if region not in REGIONS:
            raise invalid("invalid regionId %s" % region)
        routes = [
            ("POST", r"/instances", "createInstances"),
            ("GET", r"/instances", "describeInstances"),
            ("GET", r"/instances/([^/:]+)", "describeInstance"),
            ("DELETE", r"/instances/([^/:]+)", "deleteInstance"),
            ("POST", r"/instances/([^/:]+):(startInstance|stopInstance|rebootInstance|resizeInstance"
                     r"|rebuildInstance|modifyInstanceAttribute|modifyInstancePassword)", None),
            ("GET", r"/instanceStatus", "describeInstanceStatus"),
            ("GET", r"/instanceTypes", "describeInstanceTypes"),
            ("GET", r"/images/([^/:]+)", "describeImage"),
            ("GET", r"/imageConstraints", "describeImageConstraintsBatch"),
            ("GET", r"/quotas", "describeQuotas"),
        ]
        for meth, pattern, op in routes:
            mm = re.fullmatch(pattern, rest)
            if mm and meth == method:
                groups = list(mm.groups())
                if op is None:
                    op = groups.pop()
                return op, region, groups
        raise JdError(501, "NOT_IMPLEMENTED", "%s %s is not implemented by this server"
                      % (method, rest))

    # ---- documents --------------------------------------------------------------------------

    def _type(self, name, az=None):
        for t in INSTANCE_TYPES:
            if t[0] == name:
                return t
        return None

    def _type_doc(self, t, region):
        name, family, cpu, mem, gen, stock = t
        return {"family": family, "instanceType": name, "cpu": cpu, "memoryMB": mem,
                "nicLimit": 2 if cpu < 4 else 4, "cloudDiskCountLimit": 7, "desc": "",
                "generation": gen, "architecture": "x86_64",
                "state": [{"az": az, "inStock": stock, "availableCount": 0} for az in REGIONS[region]],
                "localDisks": [], "cloudDiskTypes": ["ssd", "premium-hdd", "ssd.gp1", "hdd.std1"]}

    # ---- operations -------------------------------------------------------------------------

    def op_createInstances(self, region, args, query, body):
        spec = body.get("instanceSpec")
        if not isinstance(spec, dict):
            raise invalid("instanceSpec is required")
        token = body.get("clientToken")
        if token is not None:
            if not isinstance(token, str) or len(token) > 64:
                raise invalid("clientToken must be a string of at most 64 characters")
            if token in self.tokens:
                return {"instanceIds": list(self.tokens[token])}
        count = body.get("maxCount", 1)
        if not isinstance(count, int) or isinstance(count, bool) or not 1 <= count <= 100:
            raise invalid("maxCount must be between 1 and 100")
        az = spec.get("az")
        if az not in REGIONS[region]:
            raise invalid("invalid az %s" % az)
        t = self._type(spec.get("instanceType"))
        if t is None:
            raise invalid("invalid instanceType %s" % spec.get("instanceType"))
        if not t[5]:
            raise invalid("instanceType %s is sold out in %s" % (t[0], az))
        image = IMAGES.get(spec.get("imageId"))
        if image is None:
            raise invalid("invalid imageId %s" % spec.get("imageId"))
        if t[0] in image[6]:
            raise invalid("image %s does not support instanceType %s" % (spec["imageId"], t[0]))
        name = spec.get("name")
        if not isinstance(name, str) or not NAME_RE.match(name) or name[0] == "." or name[-1] == ".":
            raise invalid("invalid name")
        desc = spec.get("description", "")
        if not isinstance(desc, str) or len(desc) > 256:
            raise invalid("description must be at most 256 characters")
        nic = ((spec.get("primaryNetworkInterface") or {}).get("networkInterface") or {})
        subnet = nic.get("subnetId")
        if subnet not in SUBNETS:
            raise invalid("invalid subnetId %s" % subnet)
        groups = nic.get("securityGroups") or []
        if not isinstance(groups, list) or len(groups) > 5:
            raise invalid("at most 5 security groups")
        if "password" in spec and not valid_password(spec["password"]):
            raise invalid("invalid password")
        data_disks = spec.get("dataDisks") or []
        if not isinstance(data_disks, list) or len(data_disks) > 7:
            raise invalid("at most 7 data disks")
        for d in data_disks:
            check_data_disk(d)
        live = [r for r in self._live().values()]
        if len(live) + count > INSTANCE_QUOTA:
            raise JdError(429, "QUOTA_EXCEEDED", "Quota exceeded")
        tags = [{"key": str(x.get("key")), "value": str(x.get("value", ""))}
                for x in (spec.get("userTags") or []) if isinstance(x, dict)]
        ids = []
        for _ in range(count):
            iid = self._instance_id()
            ip = self._private_ip()
            self.seq += 1
            doc = {
                "instanceId": iid, "instanceName": name, "hostname": spec.get("hostname", iid),
                "instanceType": t[0], "az": az, "description": desc, "imageId": spec["imageId"],
                "status": "pending", "launchTime": now_iso(),
                "vpcId": SUBNETS[subnet], "subnetId": subnet, "privateIpAddress": ip,
                "elasticIpId": "", "elasticIpAddress": "",
                "systemDisk": {"diskCategory": "cloud", "autoDelete": True, "deviceName": "vda",
                               "status": "attached",
                               "cloudDisk": {"diskId": "vol-" + iid[2:] + "s", "diskType": "ssd.gp1",
                                             "diskSizeGB": image[4], "status": "in-use"}},
                "dataDisks": [
                    {"diskCategory": "cloud", "autoDelete": d.get("autoDelete", True),
                     "deviceName": "vd" + "bcdefgh"[i], "status": "attached",
                     "cloudDisk": {"diskId": "vol-%s%d" % (iid[2:], i),
                                   "diskType": d["cloudDiskSpec"]["diskType"],
                                   "diskSizeGB": d["cloudDiskSpec"]["diskSizeGB"],
                                   "name": d["cloudDiskSpec"].get("name", ""), "status": "in-use"}}
                    for i, d in enumerate(data_disks)],
                "primaryNetworkInterface": {
                    "deviceIndex": 1, "autoDelete": True,
                    "networkInterface": {"networkInterfaceId": "port-" + iid[2:],
                                         "macAddress": "fa:16:3e:%02x:%02x:%02x" % (
                                             self.rng.randint(0, 255), self.rng.randint(0, 255),
                                             self.rng.randint(0, 255)),
                                         "vpcId": SUBNETS[subnet], "subnetId": subnet,
                                         "securityGroups": [{"groupId": g, "groupName": g} for g in groups],
                                         "sanityCheck": 1,
                                         "primaryIp": {"privateIpAddress": ip, "elasticIpId": "",
                                                       "elasticIpAddress": ""},
                                         "secondaryIps": []}},
                "secondaryNetworkInterfaces": [],
                "keyNames": list(spec.get("keyNames") or []),
                "charge": {"chargeMode": "postpaid_by_duration", "chargeStatus": "normal",
                           "chargeStartTime": now_iso(), "chargeExpiredTime": "",
                           "chargeRetireTime": ""},
                "chargeOnStopped": "keepCharging",
                "osType": image[2], "platform": image[1],
                "tags": tags, "ag": {"name": "", "id": ""},
            }
            rec = {"doc": doc, "phase": "pending", "target": "running", "until": 0.0,
                   "seq": self.seq, "password": spec.get("password")}
            self.instances[iid] = rec
            self._transition(rec, "pending", "running")
            ids.append(iid)
        if token is not None:
            self.tokens[token] = ids
        return {"instanceIds": ids}

    def op_describeInstance(self, region, args, query, body):
        return {"instance": self._get(args[0])["doc"]}

    def op_describeInstances(self, region, args, query, body):
        page, size = paging(query)
        filters = parse_filters(query, "filters")
        for f in filters:
            if f["name"] not in INSTANCE_FILTERS:
                raise invalid("invalid filter name %s" % f["name"])
        tag_filters = parse_tags(query)
        recs = sorted(self._live().values(), key=lambda r: r["seq"], reverse=True)
        out = [r["doc"] for r in recs if matches(r["doc"], filters, tag_filters)]
        return {"instances": out[(page - 1) * size:page * size], "totalCount": len(out)}

    def op_describeInstanceStatus(self, region, args, query, body):
        page, size = paging(query)
        filters = parse_filters(query, "filters")
        recs = sorted(self._live().values(), key=lambda r: r["seq"], reverse=True)
        out = [{"instanceId": r["doc"]["instanceId"], "status": r["doc"]["status"]}
               for r in recs if matches(r["doc"], filters, [])]
        return {"instanceStatuses": out[(page - 1) * size:page * size], "totalCount": len(out)}

    def op_startInstance(self, region, args, query, body):
        rec = self._get(args[0])
        self._idle(rec, ["stopped"], "startInstance")
        self._transition(rec, "starting", "running")
        return {}

    def op_stopInstance(self, region, args, query, body):
        rec = self._get(args[0])
        self._idle(rec, ["running"], "stopInstance")
        if body.get("chargeOnStopped") not in (None, "keepCharging", "stopCharging"):
            raise invalid("invalid chargeOnStopped")
        self._transition(rec, "stopping", "stopped")
        return {}

    def op_rebootInstance(self, region, args, query, body):
        rec = self._get(args[0])
        self._idle(rec, ["running"], "rebootInstance")
        self._transition(rec, "rebooting", "running")
        return {}

    def op_resizeInstance(self, region, args, query, body):
        rec = self._get(args[0])
        name = body.get("instanceType")
        t = self._type(name)
        if t is None:
            raise invalid("invalid instanceType %s" % name)
        self._idle(rec, ["stopped"], "resizeInstance")
        if name == rec["doc"]["instanceType"]:
            raise invalid("the instance is already of type %s" % name)
        if not t[5]:
            raise invalid("instanceType %s is sold out" % name)
        if name in IMAGES[rec["doc"]["imageId"]][6]:
            raise invalid("image %s does not support instanceType %s" % (rec["doc"]["imageId"], name))
        rec["doc"]["instanceType"] = name
        self._transition(rec, "resizing", "stopped")
        return {}

    def op_rebuildInstance(self, region, args, query, body):
        rec = self._get(args[0])
        image_id = body.get("imageId", rec["doc"]["imageId"])
        image = IMAGES.get(image_id)
        if image is None:
            raise invalid("invalid imageId %s" % image_id)
        self._idle(rec, ["stopped"], "rebuildInstance")
        if rec["doc"]["instanceType"] in image[6]:
            raise invalid("image %s does not support instanceType %s"
                          % (image_id, rec["doc"]["instanceType"]))
        if "password" in body and not valid_password(body["password"]):
            raise invalid("invalid password")
        rec["doc"]["imageId"] = image_id
        rec["doc"]["osType"], rec["doc"]["platform"] = image[2], image[1]
        self._transition(rec, "rebuilding", "stopped")
        return {}

    def op_modifyInstanceAttribute(self, region, args, query, body):
        rec = self._get(args[0])
        self._settle(rec)
        if rec["phase"] == "deleting":
            raise precondition("instance %s is being deleted" % args[0])
        if "name" in body:
            n = body["name"]
            if not isinstance(n, str) or not NAME_RE.match(n) or n[0] == "." or n[-1] == ".":
                raise invalid("invalid name")
        if "description" in body and (not isinstance(body["description"], str)
                                      or len(body["description"]) > 256):
            raise invalid("description must be at most 256 characters")
        if "name" in body:
            rec["doc"]["instanceName"] = body["name"]
        if "description" in body:
            rec["doc"]["description"] = body["description"]
        return {}

    def op_modifyInstancePassword(self, region, args, query, body):
        rec = self._get(args[0])
        self._idle(rec, ["running", "stopped", "error"], "modifyInstancePassword")
        if not valid_password(body.get("password")):
            raise invalid("invalid password")
        rec["password"] = body["password"]
        return {}

    def op_deleteInstance(self, region, args, query, body):
        rec = self._get(args[0])
        self._idle(rec, ["running", "stopped", "error"], "deleteInstance")
        self._transition(rec, "deleting", None)
        if self.knobs.transition == 0:
            self._live()
        return {}

    def op_describeInstanceTypes(self, region, args, query, body):
        filters = parse_filters(query, "filters")
        out = []
        for t in INSTANCE_TYPES:
            doc = self._type_doc(t, region)
            keep = True
            for f in filters:
                if f["name"] == "instanceTypes":
                    keep = keep and t[0] in f["values"]
                elif f["name"] == "az":
                    keep = keep and any(az in f["values"] for az in REGIONS[region])
                    doc["state"] = [s for s in doc["state"] if s["az"] in f["values"]]
                elif f["name"] == "architecture":
                    keep = keep and "x86_64" in f["values"]
                else:
                    raise invalid("invalid filter name %s" % f["name"])
            if keep:
                out.append(doc)
        return {"instanceTypes": out, "specificInstanceTypes": [], "totalCount": len(out)}

    def op_describeImage(self, region, args, query, body):
        image = IMAGES.get(args[0])
        if image is None:
            raise not_found("image %s not found" % args[0])
        return {"image": image_doc(args[0], image)}

    def op_describeImageConstraintsBatch(self, region, args, query, body):
        ids = indexed_list(query, "ids")
        out = []
        for i in ids:
            image = IMAGES.get(i)
            if image is not None and image[5] == "public":
                out.append({"imageId": i, "imageInstanceTypeConstraint": {
                    "constraintsType": "excludes", "instanceTypes": list(image[6])}})
        return {"imageConstraints": out}

    def op_describeQuotas(self, region, args, query, body):
        filters = parse_filters(query, "filters")
        kinds = ["instance", "instance_cpu", "instance_memory", "keypair", "image", "instanceTemplate"]
        for f in filters:
            if f["name"] != "resourceTypes":
                raise invalid("invalid filter name %s" % f["name"])
            kinds = [k for k in kinds if k in f["values"]]
        live = self._live().values()
        used = {"instance": len(live),
                "instance_cpu": sum(self._type(r["doc"]["instanceType"])[2] for r in live),
                "instance_memory": sum(self._type(r["doc"]["instanceType"])[3] for r in live) // 1024}
        limits = {"instance": INSTANCE_QUOTA, "instance_cpu": 200, "instance_memory": 800,
                  "keypair": 10, "image": 20, "instanceTemplate": 10}
        return {"quotas": [{"resourceType": k, "limit": limits[k], "used": used.get(k, 0)}
                           for k in kinds]}

    # ---- test endpoints -------------------------------------------------------------------

    def inspect(self, method, path, body):
        p = urlsplit(path).path
        if p == "/_indep/calls" and method == "GET":
            return common.Reply(200, self.calls.snapshot())
        if p == "/_indep/calls" and method == "DELETE":
            self.calls.reset()
            return common.Reply(200, {})
        if p == "/_indep/objects" and method == "GET":
            with self.lock:
                recs = sorted(self._live().values(), key=lambda r: r["seq"])
                return common.Reply(200, {"instances": [r["doc"] for r in recs],
                                          "client_tokens": sorted(self.tokens)})
        return common.Reply(404, {"error": "no such test endpoint"})

    def throttle_reply(self):
        rid = self._request_id()
        return self._reply(429, {"requestId": rid, "error": {
            "code": 429, "status": "RATE_LIMIT", "message": "Too many requests, slow down"}}, rid)


# ---- request decoding ----------------------------------------------------------------------

def dict_multi(pairs):
    out = {}
    for k, v in pairs:
        out.setdefault(k, []).append(v)
    return out


def paging(query):
    def one(name, default):
        vals = query.get(name)
        if not vals:
            return default
        if not re.fullmatch(r"\d{1,6}", vals[0]):
            raise invalid("%s must be a whole number" % name)
        return int(vals[0])
    page = one("pageNumber", 1)
    size = one("pageSize", 20)
    if page < 1:
        raise invalid("pageNumber must be at least 1")
    if not 10 <= size <= 100:
        raise invalid("pageSize must be between 10 and 100")
    return page, size


def indexed_list(query, prefix):
    items = []
    for k, vals in query.items():
        m = re.fullmatch(re.escape(prefix) + r"\.(\d+)", k)
        if m:
            items.append((int(m.group(1)), vals[0]))
    return [v for _, v in sorted(items)]


def parse_filters(query, prefix):
    found = {}
    for k, vals in query.items():
        m = re.fullmatch(re.escape(prefix) + r"\.(\d+)\.(name|operator|values\.(\d+))", k)
        if not m:
            if k.startswith(prefix + "."):
                raise invalid("malformed filter parameter %s" % k)
            continue
        f = found.setdefault(int(m.group(1)), {"name": None, "operator": "eq", "values": {}})
        if m.group(2) == "name":
            f["name"] = vals[0]
        elif m.group(2) == "operator":
            f["operator"] = vals[0]
        else:
            f["values"][int(m.group(3))] = vals[0]
    out = []
    for _, f in sorted(found.items()):
        if not f["name"] or not f["values"]:
            raise invalid("a filter needs a name and values")
        out.append({"name": f["name"], "operator": f["operator"],
                    "values": [v for _, v in sorted(f["values"].items())]})
    return out


def parse_tags(query):
    found = {}
    for k, vals in query.items():
        m = re.fullmatch(r"tags\.(\d+)\.(key|values\.(\d+))", k)
        if not m:
            continue
        t = found.setdefault(int(m.group(1)), {"key": None, "values": []})
        if m.group(2) == "key":
            t["key"] = vals[0]
        else:
            t["values"].append(vals[0])
    return [t for _, t in sorted(found.items()) if t["key"] is not None]


def matches(doc, filters, tag_filters):
    for f in filters:
        n, vals = f["name"], f["values"]
        if n == "name":
            if not any(v in doc["instanceName"] for v in vals):
                return False
        elif n == "privateIpAddress":
            if not any(v in doc["privateIpAddress"] for v in vals):
                return False
        elif n == "networkInterfaceId":
            if doc["primaryNetworkInterface"]["networkInterface"]["networkInterfaceId"] not in vals:
                return False
        elif n in ("instanceId", "az", "vpcId", "status", "imageId", "subnetId", "instanceType"):
            if str(doc.get(n)) not in vals:
                return False
        else:
            return False
    for t in tag_filters:
        if not any(x["key"] == t["key"] and (not t["values"] or x["value"] in t["values"])
                   for x in doc["tags"]):
            return False
    return True


def valid_password(p):
    if not isinstance(p, str) or not 8 <= len(p) <= 30:
        return False
    classes = [any(c.isupper() for c in p), any(c.islower() for c in p),
               any(c.isdigit() for c in p), any(not c.isalnum() for c in p)]
    return sum(classes) >= 3


def check_data_disk(d):
    if not isinstance(d, dict):
        raise invalid("invalid dataDisks")
    if d.get("diskCategory", "cloud") != "cloud":
        raise invalid("data disks must be cloud disks")
    spec = d.get("cloudDiskSpec")
    if not isinstance(spec, dict):
        raise invalid("cloudDiskSpec is required for a data disk")
    kind, size = spec.get("diskType"), spec.get("diskSizeGB")
    if not isinstance(size, int) or isinstance(size, bool):
        raise invalid("diskSizeGB must be a whole number")
    limits = {"ssd": 1000, "premium-hdd": 3000}
    if kind in limits:
        if not 20 <= size <= limits[kind] or size % 10:
            raise invalid("diskSizeGB %d is out of range for %s" % (size, kind))
    elif kind in ("ssd.gp1", "ssd.io1", "hdd.std1", "ssd.io2", "ssd.gp2"):
        if not 20 <= size <= 16000:
            raise invalid("diskSizeGB %d is out of range for %s" % (size, kind))
    else:
        raise invalid("invalid diskType %s" % kind)


def image_doc(image_id, image):
    name, platform, os_type, root, size, source, _ = image
    return {"imageId": image_id, "name": name, "platform": platform, "osVersion": "",
            "architecture": "x86_64", "systemDiskSizeGB": size, "imageSource": source,
            "osType": os_type, "status": "ready", "createTime": "2023-03-01T00:00:00Z",
            "sizeMB": size * 1024, "desc": "", "rootDeviceType": root, "offline": False}


def main(argv=None):
    p = common.knob_parser(__doc__.splitlines()[0])
    p.add_argument("--access-key", default="indep-ak")
    p.add_argument("--secret-key", default="indep-sk")
    args = p.parse_args(argv)
    app = Cloud(common.Knobs(args), {args.access_key: args.secret_key})
    common.serve(app, args)


if __name__ == "__main__":
    main()
