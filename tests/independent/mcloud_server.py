#!/usr/bin/env python3
"""An independent server for the multi-cloud broker API of seed 003 (多云对接API).

Written from the seed alone, not from skyform's simulator, to check skyform's mcloud
client against a second reading of the seed. Where the seed is silent this server makes its
own choices, deliberately different from the obvious ones (see docs/simulators.md,
"Independent servers"):

- Instance ids look like AWS ids (`i-` and 17 hex digits, as in the seed's aws example);
  row ids (`Id`) start at a random number; template ids are integers that grow by a random
  step; private IPs are in 172.16.0.0/12 and public IPs appear only once a machine runs.
- Lists are newest first.
- Status integers: 2 = starting (transient, for `--transition-ms`), 1 = running (the seed
  sets `Status: 1` in its status-update example and its running aliyun machine has 1),
  7 = stopped (the seed's machine with no address), 3 = a registered physical machine.
- An instance made by `POST /v1/instance` (no template) has `"Cluster": null`.
- A delete naming an id that does not exist changes nothing and answers
  `code 10999 "QuerySeter no row found"`.
- HTTP 429 (`--throttle-rps`) comes from "the gateway": an HTML body and `Retry-After: 1`.

Run: `python3 mcloud_server.py --listen 127.0.0.1:0 [--answer-delay-ms N]
[--lose-answers F] [--throttle-rps N] [--transition-ms N]`. The first stdout line is
`listening on HOST:PORT`. Test endpoints: `GET /_indep/calls`, `GET /_indep/objects`,
`DELETE /_indep/calls` (reset).
"""

import json
import re
import threading
import time
import uuid
from datetime import datetime, timedelta, timezone
from urllib.parse import unquote, urlsplit

import indep_common as common

STARTING, RUNNING, STOPPED, PHYSICAL = 2, 1, 7, 3
CST = timezone(timedelta(hours=8))
ZERO_TIME = "0001-01-01T00:00:00Z"

# The catalog, per cloud vendor. Values follow the seed's examples where it has them.
CATALOG = {
    "aliyun": {
        "regions": {
            "cn-beijing": {
                "zones": [("cn-beijing-d", "华北 2 可用区 D"), ("cn-beijing-a", "华北 2 可用区 A"),
                          ("cn-beijing-c", "华北 2 可用区 C")],
                "vpcs": [{"VpcId": "vpc-2ze0sufdt8yiguyg8u2lp", "CidrBlock": "172.17.0.0/16"}],
                "subnets": [{"SubnetId": "vsw-2zeci6ok1lzo3wjdgvtua", "VpcId": "vpc-2ze0sufdt8yiguyg8u2lp",
                             "AvailabilityZone": "cn-beijing-a", "CidrBlock": "172.17.192.0/20"},
                            {"SubnetId": "vsw-2zeindep0c0c0c0c0c0c0", "VpcId": "vpc-2ze0sufdt8yiguyg8u2lp",
                             "AvailabilityZone": "cn-beijing-c", "CidrBlock": "172.17.208.0/20"}],
                "images": ["centos7u2_64_40G_cloudinit_20160728.raw", "m-2zefnwiq237sjwnt7oez"],
                "security_groups": [("sg-2ze727lmif5l3o5x5vf5", "p2p_group", "P2P"),
                                    ("sg-25vpbkswc", "sg-25vpbkswc", "System created security group.")],
            },
            "cn-zhangjiakou": {"zones": [("cn-zhangjiakou-a", "华北 3 可用区 A")], "vpcs": [],
                               "subnets": [], "images": [], "security_groups": []},
        },
        "types": ["1Core-1GB", "1Core-2GB", "4Cores-8GB", "16Cores-16GB", "16Cores-64GB"],
        "charge": ["PayByBandwidth", "PayByTraffic"],
        "disks": ["cloud_efficiency", "cloud_ssd"],
    },
    "aws": {
        "regions": {
            "cn-north-1": {"zones": [("cn-north-1a", "China (Beijing) a")],
                           "vpcs": [{"VpcId": "vpc-62a57d06", "CidrBlock": "172.31.0.0/16"}],
                           "subnets": [{"SubnetId": "subnet-f303e897", "VpcId": "vpc-62a57d06",
                                        "AvailabilityZone": "cn-north-1a", "CidrBlock": "172.31.0.0/20"}],
                           "images": ["ami-3965b454"],
                           "security_groups": [("sg-d6d62bb3", "default", "default VPC security group")]},
        },
        "types": ["t2.micro", "t2.small", "m4.large"],
        "charge": ["PayByTraffic"],
        "disks": ["standard", "gp2"],
    },
    "openstack": {
        "regions": {"RegionOne": {"zones": [("nova", "nova")], "vpcs": [], "subnets": [],
                                  "images": [], "security_groups": []}},
        "types": ["m1.small", "m1.medium"],
        "charge": [],
        "disks": ["ceph"],
    },
}

# Cores and GiB per instance type, for templates that leave Cpu/Ram at 0.
KNOWN_SIZES = {"ecs.n1.tiny": (1, 1), "ecs.c2.medium": (2, 4), "ecs.n2.3xlarge": (16, 64),
               "t2.micro": (1, 1), "t2.small": (1, 2), "m4.large": (2, 8),
               "m1.small": (1, 2), "m1.medium": (2, 4)}

TEMPLATE_REQUIRED = ("Name", "Provider", "InstanceType", "SystemDiskCategory", "DataDiskCategory",
                     "Zone", "Network", "DataDiskNum", "DataDiskSize")
INSTANCE_REQUIRED = ("Provider", "InstanceType", "ImageId", "Network", "Zone", "SystemDiskCategory",
                     "DataDiskSize", "DataDiskNum", "DataDiskCategory")


def envelope(code=0, msg=None, content=None, ext=None):
    return {"code": code, "msg": msg, "content": content, "ext": ext}


def ok(content=None, ext=None):
    return common.Reply(200, envelope(0, None, content, ext))


def fail(code, msg, content=None):
    # The broker answers its own errors with HTTP 200 and the code in the envelope.
    return common.Reply(200, envelope(code, msg, content, None))


INPUT_ERROR = (12996, "Input error!")
MISSING_CORRELATION = (12997, "Missing requisite parameter(X-CORRELATION-ID)!")
NO_ROW = "QuerySeter no row found"


def now_text():
    return datetime.now(CST).replace(microsecond=0).isoformat()


def size_of(instance_type):
    if instance_type in KNOWN_SIZES:
        return KNOWN_SIZES[instance_type]
    m = re.match(r"^(\d+)Cores?-(\d+)GB$", instance_type or "")
    if m:
        return int(m.group(1)), int(m.group(2))
    return 1, 1


def is_int(v):
    return isinstance(v, int) and not isinstance(v, bool)


class Broker:
    """The cloud: templates, machines, keys, logs. One lock; every request acts at once."""

    def __init__(self, knobs):
        self.knobs = knobs
        self.calls = common.Calls()
        self.lock = threading.Lock()
        rng = knobs.rng
        self.rng = rng
        self.next_row = rng.randint(300, 900)
        self.next_template = rng.randint(20, 60)
        self.next_sub_row = rng.randint(5, 40)
        self.templates = {}  # id -> template dict
        self.instances = {}  # InstanceId -> record {"doc": {...}, "phase", "until", "seq"}
        self.keys = {}  # InstanceId -> key text
        self.logs = []  # {InstanceId, CorrelationId, Action, Time}
        self.openstack = None
        self.seq = 0
        self.used_ips = set()

    # ---- ids and addresses ------------------------------------------------------------

    def _instance_id(self):
        while True:
            iid = "i-0" + "".join(self.rng.choice("0123456789abcdef") for _ in range(16))
            if iid not in self.instances:
                return iid

    def _ip(self, public):
        while True:
            if public:
                ip = "47.%d.%d.%d" % (self.rng.randint(92, 110), self.rng.randint(0, 255),
                                      self.rng.randint(1, 254))
            else:
                ip = "172.%d.%d.%d" % (self.rng.randint(16, 31), self.rng.randint(0, 255),
                                       self.rng.randint(1, 254))
            if ip not in self.used_ips:
                self.used_ips.add(ip)
                return ip

    def _row(self):
        self.next_row += 1
        return self.next_row

    def _sub_row(self):
        self.next_sub_row += 1
        return self.next_sub_row

    # ---- state transitions --------------------------------------------------------------

    def _settle(self, rec):
        """Moves a machine whose transition has run its time to its end state."""
        if rec["phase"] == STARTING and time.monotonic() >= rec["until"]:
            rec["phase"] = RUNNING
        doc = rec["doc"]
        doc["Status"] = rec["phase"]
        if rec["phase"] == RUNNING and not doc["PublicIpAddress"] and doc["Provider"] != "phydev":
            doc["PublicIpAddress"] = self._ip(True)
        return doc

    def _begin_start(self, rec):
        rec["phase"] = STARTING
        rec["until"] = time.monotonic() + self.knobs.transition
        self._settle(rec)

    def _log(self, iid, cid, action):
        self.logs.append({"InstanceId": iid, "CorrelationId": cid or "", "Action": action,
                          "Time": now_text()})

    # ---- documents ------------------------------------------------------------------------

    def _network(self, n):
        n = n if isinstance(n, dict) else {}
        bw = n.get("InternetMaxBandwidthOut", 0)
        return {"Id": self._sub_row(), "VpcId": str(n.get("VpcId") or ""),
                "SubnetId": str(n.get("SubnetId") or ""),
                "SecurityGroup": str(n.get("SecurityGroup") or ""),
                "InternetChargeType": str(n.get("InternetChargeType") or ""),
                "InternetMaxBandwidthOut": bw if is_int(bw) else 0}

    def _zone(self, z):
        z = z if isinstance(z, dict) else {}
        return {"Id": self._sub_row(), "RegionName": str(z.get("RegionName") or ""),
                "ZoneName": str(z.get("ZoneName") or "")}

    def _default_image(self, provider, region):
        images = CATALOG.get(provider, {}).get("regions", {}).get(region, {}).get("images", [])
        return images[0] if images else ""

    def _new_machine(self, spec, cluster, cid, action):
        iid = self._instance_id()
        cpu, ram = size_of(spec.get("InstanceType"))
        net = spec.get("Network") if isinstance(spec.get("Network"), dict) else {}
        zone = spec.get("Zone") if isinstance(spec.get("Zone"), dict) else {}
        doc = {
            "Id": self._row(),
            "Cluster": cluster,
            "Provider": spec.get("Provider"),
            "CreateTime": now_text(),
            "Cpu": cpu if not is_int(spec.get("Cpu")) or not spec.get("Cpu") else spec["Cpu"],
            "Ram": ram if not is_int(spec.get("Ram")) or not spec.get("Ram") else spec["Ram"],
            "InstanceId": iid,
            "ImageId": spec.get("ImageId") or "",
            "InstanceType": spec.get("InstanceType"),
            "KeyName": str(spec.get("KeyName") or ""),
            "VpcId": str(net.get("VpcId") or ""),
            "SubnetId": str(net.get("SubnetId") or ""),
            "SecurityGroupId": str(net.get("SecurityGroup") or ""),
            "RegionId": str(zone.get("RegionName") or ""),
            "ZoneId": str(zone.get("ZoneName") or ""),
            "DataDiskNum": spec.get("DataDiskNum"),
            "DataDiskSize": spec.get("DataDiskSize"),
            "DataDiskCategory": spec.get("DataDiskCategory"),
            "SystemDiskCategory": spec.get("SystemDiskCategory"),
            "CostWay": "PostPaid",
            "PreBuyMonth": 0,
            "PrivateIpAddress": self._ip(False),
            "PublicIpAddress": "",
            "NatIpAddress": "",
            "Status": STARTING,
            "TenantID": "",
            "UserID": "",
            "Name": "",
        }
        self.seq += 1
        rec = {"doc": doc, "phase": STARTING, "until": 0.0, "seq": self.seq}
        self.instances[iid] = rec
        self._begin_start(rec)
        self._log(iid, cid, action)
        return rec

    def _newest_first(self, recs):
        return [self._settle(r) for r in sorted(recs, key=lambda r: r["seq"], reverse=True)]

    # ---- the API ----------------------------------------------------------------------------

    def handle(self, method, raw_path, headers, body):
        parts = urlsplit(raw_path)
        segs = [unquote(s) for s in parts.path.split("/") if s != ""]
        route, fn, params = self._route(method, segs)
        self.calls.record(route)
        if fn is None:
            return common.Reply(404, b"<html><body><h1>404 Not Found</h1></body></html>",
                                content_type="text/html; charset=utf-8")
        cid = headers.get("X-CORRELATION-ID")
        with self.lock:
            reply = fn(params, body, cid)
        reply.route = route
        return reply

    def _route(self, method, segs):
        """(route label, handler, path params) for `METHOD /v1/...`."""
        if len(segs) < 2 or segs[0] != "v1":
            return method + " ?", None, []
        s = segs[1:]
        m = method
        table = [
            ("GET", "cluster", self.list_templates),
            ("POST", "cluster", self.create_template),
            ("GET", "cluster/number/:hour", self.machine_counts),
            ("GET", "cluster/oldnumber/:time", self.machine_count_at),
            ("GET", "cluster/:clusterId", self.get_template),
            ("DELETE", "cluster/:clusterId", self.delete_template),
            ("POST", "cluster/:clusterId/expand/:number", self.expand),
            ("POST", "instance", self.create_instance),
            ("GET", "instance/list", self.list_instances),
            ("GET", "instance/provider", self.providers),
            ("GET", "instance/regions/:provider", self.regions),
            ("GET", "instance/zones/:provider/:regionId", self.zones),
            ("GET", "instance/vpc/:provider/:regionId", self.vpcs),
            ("GET", "instance/subnet/:provider/:zoneId/:vpcId", self.subnets),
            ("GET", "instance/type/:provider", self.types),
            ("GET", "instance/charge/:provider", self.charges),
            ("GET", "instance/disk_category/:provider", self.disks),
            ("GET", "instance/image/:provider/:regionId", self.images),
            ("GET", "instance/security_group/:provider/:regionId", self.security_groups),
            ("GET", "instance/cluster/:clusterId", self.template_instances),
            ("GET", "instance/log/:correlationId/:instanceId", self.logs_of),
            ("GET", "instance/log/:instanceId", self.logs_of),
            ("GET", "instance/sshkey/:ip", self.download_key),
            ("PUT", "instance/sshkey/:instanceId", self.upload_key),
            ("PUT", "instance/phydev", self.record_machine),
            ("POST", "instance/phydev", self.register_physical),
            ("POST", "instance/openstack", self.set_openstack),
            ("GET", "instance/:instanceId", self.get_instance),
            ("DELETE", "instance/:instanceIds", self.delete_instances),
            ("GET", "start/:instanceId", self.start),
            ("GET", "status/:instanceId", self.status),
            ("POST", "status", self.update_status),
        ]
        for tm, pattern, fn in table:
            want = pattern.split("/")
            if tm != m or len(want) != len(s):
                continue
            params = []
            for p, v in zip(want, s):
                if p.startswith(":"):
                    params.append(v)
                elif p != v:
                    break
            else:
                return m + " /v1/" + pattern, fn, params
        return m + " /v1/" + "/".join(s), None, []

    # templates

    def list_templates(self, params, body, cid):
        items = sorted(self.templates.values(), key=lambda t: t["Id"], reverse=True)
        return ok(items)

    def get_template(self, params, body, cid):
        tid = _int(params[0])
        if tid is None:
            return fail(*INPUT_ERROR)
        t = self.templates.get(tid)
        if t is None:
            return fail(10999, NO_ROW)
        return ok(t)

    def create_template(self, params, body, cid):
        spec = _json_object(body)
        if spec is None or any(k not in spec or spec[k] in (None, "") for k in TEMPLATE_REQUIRED):
            return fail(*INPUT_ERROR)
        if not is_int(spec["DataDiskNum"]) or not is_int(spec["DataDiskSize"]) \
                or not isinstance(spec["Zone"], dict) or not isinstance(spec["Network"], dict):
            return fail(*INPUT_ERROR)
        if not 0 < spec["DataDiskNum"] <= 4:
            return fail(11996, "The paramter (DataDiskNum) over size limited and the size range is "
                               "larger than 0 and less equal 4.!")
        if spec["Provider"] not in CATALOG:
            return fail(10999, "Ceate cluster err")
        self.next_template += self.rng.randint(1, 5)
        tid = self.next_template
        cpu, ram = size_of(spec["InstanceType"])
        zone = self._zone(spec["Zone"])
        t = {
            "Id": tid,
            "Name": str(spec["Name"]),
            "Provider": spec["Provider"],
            "LastestPartNum": 0,
            "Desc": str(spec.get("Desc") or ""),
            "CreateTime": now_text(),
            "DeleteTime": ZERO_TIME,
            "Cpu": spec["Cpu"] if is_int(spec.get("Cpu")) and spec["Cpu"] > 0 else cpu,
            "Ram": spec["Ram"] if is_int(spec.get("Ram")) and spec["Ram"] > 0 else ram,
            "InstanceType": spec["InstanceType"],
            "ImageId": spec.get("ImageId") or self._default_image(spec["Provider"], zone["RegionName"]),
            "PostScript": str(spec.get("PostScript") or ""),
            "KeyName": str(spec.get("KeyName") or ""),
            "Network": self._network(spec["Network"]),
            "Zone": zone,
            "Replication": None,
            "SystemDiskCategory": spec["SystemDiskCategory"],
            "DataDiskSize": spec["DataDiskSize"],
            "DataDiskNum": spec["DataDiskNum"],
            "DataDiskCategory": spec["DataDiskCategory"],
            "FlavorId": str(spec.get("FlavorId") or ""),
        }
        self.templates[tid] = t
        return ok(tid)

    def delete_template(self, params, body, cid):
        tid = _int(params[0])
        if tid is None:
            return fail(*INPUT_ERROR)
        if self.templates.pop(tid, None) is None:
            return fail(10999, "Delete cluster err")
        return ok(True)

    def expand(self, params, body, cid):
        if not cid:
            return fail(*MISSING_CORRELATION)
        tid, number = _int(params[0]), _int(params[1])
        if tid is None or number is None or number <= 0 or number > 100:
            return fail(*INPUT_ERROR)
        if _json_object(body) is None:
            return fail(*INPUT_ERROR)
        t = self.templates.get(tid)
        if t is None:
            return fail(10999, NO_ROW)
        spec = {
            "Provider": t["Provider"], "InstanceType": t["InstanceType"], "ImageId": t["ImageId"],
            "Network": {"VpcId": t["Network"]["VpcId"], "SubnetId": t["Network"]["SubnetId"],
                        "SecurityGroup": t["Network"]["SecurityGroup"]},
            "Zone": {"RegionName": t["Zone"]["RegionName"], "ZoneName": t["Zone"]["ZoneName"]},
            "SystemDiskCategory": t["SystemDiskCategory"], "DataDiskSize": t["DataDiskSize"],
            "DataDiskNum": t["DataDiskNum"], "DataDiskCategory": t["DataDiskCategory"],
            "Cpu": t["Cpu"], "Ram": t["Ram"], "KeyName": t["KeyName"],
        }
        ids = [self._new_machine(spec, t, cid, "expand")["doc"]["InstanceId"] for _ in range(number)]
        return ok(ids, ext=number)

    def machine_counts(self, params, body, cid):
        hours = _int(params[0])
        if hours is None or hours <= 0:
            return fail(*INPUT_ERROR)
        sample = self._count_sample()
        return ok([sample])

    def machine_count_at(self, params, body, cid):
        text = params[0]
        try:
            datetime.strptime(text, "%Y-%m-%d %H:%M:%S")
        except ValueError:
            return fail(*INPUT_ERROR)
        return ok(self._count_sample())

    def _count_sample(self):
        by = {}
        for rec in self.instances.values():
            p = rec["doc"]["Provider"]
            by[p] = by.get(p, 0) + 1
        sample = {k: str(v) for k, v in sorted(by.items())}
        sample["time"] = datetime.now(CST).strftime("%Y-%m-%d %H:%M:%S")
        sample["total"] = str(sum(by.values()))
        return sample

    # machines

    def create_instance(self, params, body, cid):
        spec = _json_object(body)
        if spec is None or any(k not in spec or spec[k] in (None, "") for k in INSTANCE_REQUIRED):
            return fail(12996, "Input error")
        if spec["Provider"] not in CATALOG or not is_int(spec["DataDiskNum"]) \
                or not is_int(spec["DataDiskSize"]) or not 0 < spec["DataDiskNum"] <= 4 \
                or spec["DataDiskSize"] <= 0 or not isinstance(spec["Zone"], dict) \
                or not isinstance(spec["Network"], dict):
            return fail(12996, "Input error")
        rec = self._new_machine(spec, None, cid, "create")
        return ok(rec["doc"]["PrivateIpAddress"])

    def list_instances(self, params, body, cid):
        return ok(self._newest_first(self.instances.values()))

    def template_instances(self, params, body, cid):
        tid = _int(params[0])
        if tid is None:
            return fail(*INPUT_ERROR)
        recs = [r for r in self.instances.values()
                if r["doc"]["Cluster"] is not None and r["doc"]["Cluster"]["Id"] == tid]
        return ok(self._newest_first(recs))

    def get_instance(self, params, body, cid):
        rec = self.instances.get(params[0])
        if rec is None:
            return fail(10999, "get one instance err")
        return ok(self._settle(rec))

    def start(self, params, body, cid):
        rec = self.instances.get(params[0])
        if rec is None or rec["doc"]["Provider"] == "phydev":
            return fail(10999, "Could not start instances", content=False)
        self._settle(rec)
        if rec["phase"] == STOPPED:
            self._begin_start(rec)
        self._log(params[0], cid, "start")
        return ok(True)

    def status(self, params, body, cid):
        ids = [i for i in params[0].split(",") if i]
        if not ids:
            return fail(12997, "Missing requisite parameter!")
        out = []
        for iid in ids:
            rec = self.instances.get(iid)
            if rec is None:
                return fail(10999, "get multi instance err:", content=False)
            doc = self._settle(rec)
            out.append({"instance_id": iid, "status": doc["Status"],
                        "ip_address": doc["PublicIpAddress"] if rec["phase"] == RUNNING else ""})
        return ok(out)

    def update_status(self, params, body, cid):
        spec = _json_object(body)
        if spec is None or not isinstance(spec.get("InstanceId"), str) or not is_int(spec.get("Status")):
            return fail(12996, "Input error")
        rec = self.instances.get(spec["InstanceId"])
        if rec is None:
            return fail(10999, "update instance status err", content=False)
        rec["phase"] = spec["Status"]
        self._settle(rec)
        self._log(spec["InstanceId"], cid, "status %d" % spec["Status"])
        return ok(1)

    def delete_instances(self, params, body, cid):
        if not cid:
            return fail(*MISSING_CORRELATION)
        ids = [i for i in params[0].split(",") if i]
        if not ids:
            return fail(*INPUT_ERROR)
        if any(i not in self.instances for i in ids):
            return fail(10999, NO_ROW)
        for iid in ids:
            rec = self.instances.pop(iid)
            self.keys.pop(iid, None)
            self._log(iid, cid, "delete")
            del rec
        return ok(None)

    # keys

    def upload_key(self, params, body, cid):
        iid = params[0]
        if iid not in self.instances:
            return fail(12997, NO_ROW)
        key = None
        if body.strip():
            try:
                key = json.loads(body)
            except ValueError:
                return fail(*INPUT_ERROR)
            if not isinstance(key, str) or not key.strip():
                return fail(*INPUT_ERROR)
        if key is None:
            key = ("-----BEGIN RSA PRIVATE KEY-----\n%s\n-----END RSA PRIVATE KEY-----\n"
                   % uuid.UUID(int=self.rng.getrandbits(128)).hex)
        self.keys[iid] = key
        self._log(iid, cid, "sshkey")
        return ok(key)

    def download_key(self, params, body, cid):
        ip = params[0]
        for iid, rec in self.instances.items():
            doc = self._settle(rec)
            if ip in (doc["PrivateIpAddress"], doc["PublicIpAddress"]) and iid in self.keys:
                return common.Reply(200, self.keys[iid].encode("utf-8"),
                                    headers={"Content-Disposition": 'attachment; filename="%s.pem"' % ip},
                                    content_type="application/octet-stream")
        return fail(12997, NO_ROW)

    # physical machines and records

    def register_physical(self, params, body, cid):
        if not cid:
            return fail(*MISSING_CORRELATION)
        spec = _json_object(body)
        if spec is None or not isinstance(spec.get("instancelist"), list) or not spec["instancelist"]:
            return fail(*INPUT_ERROR)
        result = {"success": 0, "failed": 0, "errors": []}
        for m in spec["instancelist"]:
            if not isinstance(m, dict):
                return fail(*INPUT_ERROR)
            pub = m.get("PublicIp", m.get("PublicIP"))
            priv = m.get("PrivateIp", m.get("PrivateIP"))
            if not isinstance(pub, str) or not pub or not isinstance(priv, str) \
                    or not isinstance(m.get("Password"), str):
                return fail(*INPUT_ERROR)
            if any(r["doc"]["PublicIpAddress"] == pub for r in self.instances.values()):
                result["failed"] += 1
                result["errors"].append("Instance: %s is already in DB" % pub)
                continue
            self.used_ips.add(pub)
            spec_doc = {"Provider": "phydev", "InstanceType": "", "ImageId": "", "Network": {},
                        "Zone": {}, "SystemDiskCategory": "", "DataDiskSize": 0, "DataDiskNum": 0,
                        "DataDiskCategory": ""}
            rec = self._new_machine(spec_doc, None, cid, "phydev")
            rec["phase"] = PHYSICAL
            rec["doc"]["PrivateIpAddress"] = priv
            rec["doc"]["PublicIpAddress"] = pub
            self._settle(rec)
            result["success"] += 1
        return ok(result)

    def record_machine(self, params, body, cid):
        spec = _json_object(body)
        needed = ("Provider", "InstanceType", "ImageId", "Network", "Zone", "SystemDiskCategory",
                  "DataDiskSize", "DataDiskNum", "DataDiskCategory")
        if spec is None or any(k not in spec or spec[k] is None for k in needed):
            return fail(*INPUT_ERROR)
        rec = self._new_machine(spec, None, cid, "record")
        rec["phase"] = PHYSICAL
        doc = rec["doc"]
        for field, key in (("InstanceId", "InstanceId"), ("PrivateIpAddress", "PrivateIpAddress"),
                           ("PublicIpAddress", "PublicIpAddress")):
            if isinstance(spec.get(key), str) and spec[key]:
                if field == "InstanceId":
                    self.instances.pop(doc["InstanceId"])
                    doc["InstanceId"] = spec[key]
                    self.instances[spec[key]] = rec
                else:
                    doc[field] = spec[key]
        return ok(self._settle(rec))

    def set_openstack(self, params, body, cid):
        spec = _json_object(body)
        if spec is None or any(not isinstance(spec.get(k), str) or not spec[k]
                               for k in ("OpIP", "OpPort", "OpUserName", "OpPassword")):
            return fail(*INPUT_ERROR)
        self.openstack = dict(spec)
        return ok({"OpIP": spec["OpIP"], "OpPort": spec["OpPort"], "OpUserName": spec["OpUserName"]})

    # logs

    def logs_of(self, params, body, cid):
        iid = params[-1]
        want_cid = params[0] if len(params) == 2 else None
        records = [l for l in self.logs if l["InstanceId"] == iid
                   and (want_cid is None or l["CorrelationId"] == want_cid)]
        if not records:
            return fail(0, "result to json error")
        return ok({"InstanceId": iid, "Logs": records})

    # catalogs

    def _cloud(self, name):
        return CATALOG.get(name)

    def _unknown(self, name):
        return fail(10999, "unknown backend provider driver: " + name)

    def providers(self, params, body, cid):
        return ok(sorted(CATALOG))

    def regions(self, params, body, cid):
        c = self._cloud(params[0])
        if c is None:
            return self._unknown(params[0])
        return ok([{"Endpoint": "", "RegionName": r} for r in sorted(c["regions"], reverse=True)])

    def _region(self, params):
        c = self._cloud(params[0])
        if c is None:
            return None, self._unknown(params[0])
        return c["regions"].get(params[1], {}), None

    def zones(self, params, body, cid):
        r, err = self._region(params)
        if err:
            return err
        return ok([{"Messages": None, "RegionName": desc, "State": "", "ZoneName": z}
                   for z, desc in r.get("zones", [])])

    def vpcs(self, params, body, cid):
        r, err = self._region(params)
        if err:
            return err
        return ok([{"CidrBlock": v["CidrBlock"], "DhcpOptionsId": "", "InstanceTenancy": "",
                    "IsDefault": False, "State": "Available", "Tags": None, "VpcId": v["VpcId"]}
                   for v in r.get("vpcs", [])])

    def subnets(self, params, body, cid):
        c = self._cloud(params[0])
        if c is None:
            return self._unknown(params[0])
        zone, vpc = params[1], params[2]
        out = []
        for region in c["regions"].values():
            for s in region.get("subnets", []):
                if s["AvailabilityZone"] == zone and s["VpcId"] == vpc:
                    out.append({"AvailabilityZone": zone, "AvailableIpAddressCount": 0,
                                "CidrBlock": s["CidrBlock"], "DefaultForAz": False,
                                "MapPublicIpOnLaunch": False, "State": "Available",
                                "SubnetId": s["SubnetId"], "Tags": None, "VpcId": vpc})
        return ok(out)

    def _names(self, params, key):
        c = self._cloud(params[0])
        if c is None:
            return self._unknown(params[0])
        return ok(list(c[key]))

    def types(self, params, body, cid):
        return self._names(params, "types")

    def charges(self, params, body, cid):
        return self._names(params, "charge")

    def disks(self, params, body, cid):
        return self._names(params, "disks")

    def images(self, params, body, cid):
        r, err = self._region(params)
        if err:
            return err
        return ok([{
            "Architecture": "x86_64", "BlockDeviceMappings": None,
            "CreationDate": "2017-07-31T09:00:02Z", "Description": "", "EnaSupport": False,
            "Hypervisor": "", "ImageId": i, "ImageLocation": "", "ImageOwnerAlias": "",
            "ImageType": "", "KernelId": "", "Name": i, "OwnerId": "self", "Platform": "",
            "ProductCodes": [{"ProductCodeId": "", "ProductCodeType": ""}], "Public": False,
            "RamdiskId": "", "RootDeviceName": "", "RootDeviceType": "", "SriovNetSupport": "",
            "State": "Available", "StateReason": {"Code": "", "Message": ""}, "Tags": None,
            "VirtualizationType": ""} for i in r.get("images", [])])

    def security_groups(self, params, body, cid):
        r, err = self._region(params)
        if err:
            return err
        return ok([{"Description": d, "GroupId": g, "GroupName": n, "IpPermissions": None,
                    "IpPermissionsEgress": None, "OwnerId": "", "Tags": None, "VpcId": ""}
                   for g, n, d in r.get("security_groups", [])])

    # ---- test endpoints -----------------------------------------------------------------------

    def inspect(self, method, path, body):
        p = urlsplit(path).path
        if p == "/_indep/calls" and method == "GET":
            return common.Reply(200, self.calls.snapshot())
        if p == "/_indep/calls" and method == "DELETE":
            self.calls.reset()
            return common.Reply(200, {})
        if p == "/_indep/objects" and method == "GET":
            with self.lock:
                instances = [dict(self._settle(r)) for r in self.instances.values()]
                return common.Reply(200, {
                    "templates": sorted(self.templates.values(), key=lambda t: t["Id"]),
                    "instances": sorted(instances, key=lambda d: d["Id"]),
                    "ssh_keys": sorted(self.keys),
                })
        return common.Reply(404, {"error": "no such test endpoint"})

    def throttle_reply(self):
        return common.Reply(429, b"<html>\r\n<head><title>429 Too Many Requests</title></head>\r\n"
                                 b"<body>\r\n<center><h1>429 Too Many Requests</h1></center>\r\n"
                                 b"<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n",
                            headers={"Retry-After": "1"}, content_type="text/html")


def _int(text):
    if not re.fullmatch(r"-?\d{1,9}", text or ""):
        return None
    return int(text)


def _json_object(body):
    try:
        v = json.loads(body or b"null")
    except ValueError:
        return None
    return v if isinstance(v, dict) else None


def main(argv=None):
    args = common.knob_parser(__doc__.splitlines()[0]).parse_args(argv)
    app = Broker(common.Knobs(args))
    common.serve(app, args)


if __name__ == "__main__":
    main()
