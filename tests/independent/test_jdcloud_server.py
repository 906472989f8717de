"""Self-test of jdcloud_signer.py (the reference's published vectors) and jdcloud_server.py
(signature checks, envelopes, idempotent creates, paging, state rules) over real HTTP."""

import hashlib
import json
import time
import unittest
import uuid
from datetime import datetime, timezone
from urllib.parse import urlsplit

import indep_common as common
import jdcloud_server
import jdcloud_signer as signer
from support import Client, knobs

AK, SK = "indep-ak", "indep-sk"
IMAGE = "0a9b8c7d-6e5f-4a3b-9c2d-1e0f9a8b7c6d"
CENTOS = "7f3c2a10-9d4e-4b61-8a55-0c1d2e3f4a5b"


class SignerVectors(unittest.TestCase):
    """Reference 1.2, vector A (the Rust signer's published `test_sign_request_2`)."""

    HEADERS = {"content-type": ["application/json"], "x-jdcloud-date": ["20180405T010203Z"],
               "x-jdcloud-nonce": ["55f3919e-3a7d-4174-b117-f150ff25e274"]}

    def test_published_vector_a(self):
        signed = ["content-type", "x-jdcloud-date", "x-jdcloud-nonce"]
        creq = signer.canonical_request("GET", "/v1/regions/cn-north-1/instances",
                                        "pageNumber=2&pageSize=10", self.HEADERS, signed, b"")
        self.assertEqual(hashlib.sha256(creq.encode()).hexdigest(),
                         "e114a7be3025637b19331467ca38fe6b72b6237eaa6355be15b389be8fb4b9fb")
        key = signer.signing_key("JDCLOUD2-HMAC-SHA256", "sk", "20180405", "cn-north-1",
                                 "service_name")
        self.assertEqual(key.hex(),
                         "b302aa05734bcaf60be65a4be7c971669ac55444769681c19113d80460e31a33")
        sig = signer.signature("JDCLOUD2-HMAC-SHA256", "sk", "20180405T010203Z",
                               "20180405/cn-north-1/service_name/jdcloud2_request", creq)
        self.assertEqual(sig, "cea138630c57ba3de51933926e3b1657c34b4d1b6f86d360511bf40a09f63729")
        auth = ("JDCLOUD2-HMAC-SHA256 Credential=ak/20180405/cn-north-1/service_name/"
                "jdcloud2_request, SignedHeaders=content-type;x-jdcloud-date;x-jdcloud-nonce, "
                "Signature=" + sig)
        headers = dict(self.HEADERS, authorization=[auth])
        cred = signer.verify("GET", "/v1/regions/cn-north-1/instances", "pageNumber=2&pageSize=10",
                             headers, b"", {"ak": "sk"})
        self.assertEqual(cred["service"], "service_name")

    def test_published_second_check_and_query_cases(self):
        creq = signer.canonical_request("GET", "/v1/regions/cn-north-1/instances",
                                        "pageNumber=2&pageSize=10",
                                        {"content-type": ["application/json"]}, ["content-type"], b"")
        self.assertEqual(hashlib.sha256(creq.encode()).hexdigest(),
                         "cc696ca02602531bc35d4271dec6399149115f8632a7fa828e8d9e969967a03a")
        cases = {"a=/": "a=%2F", "a=+++": "a=%20%20%20", "b&a": "a=&b=", "b&a&B&A": "A=&B=&a=&b=",
                 "a=2&a=1": "a=1&a=2", "a=%e4%b8%ad": "a=%E4%B8%AD", "a=-_.~": "a=-_.~"}
        for raw, want in cases.items():
            self.assertEqual(signer.canonical_query(raw), want, raw)

    def test_a_tampered_request_is_refused(self):
        signed = ["content-type", "x-jdcloud-date", "x-jdcloud-nonce"]
        creq = signer.canonical_request("GET", "/v1/x", "a=1", self.HEADERS, signed, b"")
        sig = signer.signature("JDCLOUD2-HMAC-SHA256", "sk", "20180405T010203Z",
                               "20180405/cn-north-1/vm/jdcloud2_request", creq)
        auth = ("JDCLOUD2-HMAC-SHA256 Credential=ak/20180405/cn-north-1/vm/jdcloud2_request, "
                "SignedHeaders=content-type;x-jdcloud-date;x-jdcloud-nonce, Signature=" + sig)
        headers = dict(self.HEADERS, authorization=[auth])
        signer.verify("GET", "/v1/x", "a=1", headers, b"", {"ak": "sk"})
        with self.assertRaises(signer.AuthError):
            signer.verify("GET", "/v1/x", "a=2", headers, b"", {"ak": "sk"})
        with self.assertRaises(signer.AuthError):
            signer.verify("GET", "/v1/x", "a=1", headers, b"", {"ak": "other"})


class SignedClient(Client):
    """Signs like the Go SDK: content-type, host, date, nonce; colons sent as %3A."""

    def __init__(self, base, region="cn-north-1", ak=AK, sk=SK):
        super().__init__(base)
        self.region, self.ak, self.sk = region, ak, sk

    def jd(self, method, path, body=None, nonce=None, date=None):
        path = path.replace(":", "%3A")
        data = json.dumps(body).encode() if body is not None else b""
        date = date or datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
        nonce = nonce or str(uuid.uuid4())
        host = urlsplit(self.base).netloc
        headers = {"content-type": ["application/json"], "host": [host],
                   "x-jdcloud-date": [date], "x-jdcloud-nonce": [nonce]}
        parts = urlsplit(path)
        signed = sorted(headers)
        creq = signer.canonical_request(method, parts.path, parts.query, headers, signed, data)
        scope = "%s/%s/vm/jdcloud2_request" % (date[:8], self.region)
        sig = signer.signature("JDCLOUD2-HMAC-SHA256", self.sk, date, scope, creq)
        send = {k: v[0] for k, v in headers.items() if k != "host"}
        send["Authorization"] = ("JDCLOUD2-HMAC-SHA256 Credential=%s/%s, SignedHeaders=%s, "
                                 "Signature=%s" % (self.ak, scope, ";".join(signed), sig))
        return self.call(method, path, body=data if body is not None else None, headers=send)


def spec(name="web", **extra):
    s = {"az": "cn-north-1a", "instanceType": "g.n2.large", "imageId": IMAGE, "name": name,
         "primaryNetworkInterface": {"networkInterface": {"subnetId": "subnet-k7q2m9x4ab"}}}
    s.update(extra)
    return s


class JdcloudServerTest(unittest.TestCase):
    def setUp(self):
        self.app = jdcloud_server.Cloud(knobs("--transition-ms", "150"), {AK: SK})
        self.server, base = common.start_in_thread(self.app)
        self.c = SignedClient(base)
        self.base = "/v1/regions/cn-north-1"

    def tearDown(self):
        self.server.shutdown()
        self.server.server_close()

    def create(self, token=None, **extra):
        body = {"instanceSpec": spec(**extra), "maxCount": 1}
        if token:
            body["clientToken"] = token
        status, headers, r = self.c.jd("POST", self.base + "/instances", body)
        self.assertEqual(status, 200, r)
        self.assertEqual(headers["x-jdcloud-request-id"], r["requestId"])
        return r["result"]["instanceIds"][0]

    def status_of(self, iid):
        _, _, r = self.c.jd("GET", self.base + "/instances/" + iid)
        return r["result"]["instance"]["status"] if "result" in r else r["error"]["status"]

    def wait_for(self, iid, want):
        for _ in range(100):
            if self.status_of(iid) == want:
                return
            time.sleep(0.03)
        self.fail("%s never became %s" % (iid, want))

    def test_unsigned_bad_and_replayed_requests_get_401(self):
        status, _, r = self.c.call("GET", self.base + "/instances")
        self.assertEqual(status, 401)
        self.assertEqual(r["error"]["status"], "UNAUTHENTICATED")
        self.assertNotIn("result", r)
        bad = SignedClient(self.c.base, sk="wrong")
        self.assertEqual(bad.jd("GET", self.base + "/instances")[0], 401)
        self.assertEqual(self.c.jd("GET", self.base + "/instances", nonce="n-1")[0], 200)
        self.assertEqual(self.c.jd("GET", self.base + "/instances", nonce="n-1")[0], 401)
        self.assertEqual(self.c.jd("GET", self.base + "/instances", date="20180405T010203Z")[0], 401)
        other = SignedClient(self.c.base, region="cn-south-1")
        self.assertEqual(other.jd("GET", self.base + "/instances")[0], 401, "scope region")

    def test_client_token_makes_create_idempotent(self):
        a = self.create(token="tok-1")
        b = self.create(token="tok-1")
        self.assertEqual(a, b)
        self.assertRegex(a, r"^i-[a-z0-9]{10}$")
        _, _, r = self.c.jd("GET", self.base + "/instances?pageNumber=1&pageSize=10")
        self.assertEqual(r["result"]["totalCount"], 1)
        self.assertEqual(self.status_of(a), "pending")
        self.wait_for(a, "running")

    def test_create_checks_type_image_and_stock(self):
        body = {"instanceSpec": spec(instanceType="c.n1.large")}
        status, _, r = self.c.jd("POST", self.base + "/instances", body)
        self.assertEqual((status, r["error"]["status"]), (400, "INVALID_ARGUMENT"))
        body = {"instanceSpec": spec(instanceType="g.n2.medium", imageId=CENTOS)}
        status, _, r = self.c.jd("POST", self.base + "/instances", body)
        self.assertEqual(status, 400, "the image excludes the type")

    def test_paging_filters_and_newest_first(self):
        ids = [self.create(name="m%d" % i) for i in range(12)]
        q = "/instances?pageNumber=2&pageSize=10"
        _, _, r = self.c.jd("GET", self.base + q)
        self.assertEqual(r["result"]["totalCount"], 12)
        self.assertEqual([i["instanceId"] for i in r["result"]["instances"]], ids[1::-1])
        _, _, r = self.c.jd("GET", self.base + "/instances?pageSize=5")
        self.assertEqual(r["error"]["status"], "INVALID_ARGUMENT")
        q = "/instances?filters.1.name=instanceId&filters.1.values.1=%s&filters.1.values.2=%s" \
            % (ids[0], ids[5])
        _, _, r = self.c.jd("GET", self.base + q)
        self.assertEqual({i["instanceId"] for i in r["result"]["instances"]}, {ids[0], ids[5]})
        _, _, r = self.c.jd("GET", self.base + "/instances?filters.1.name=color&filters.1.values.1=x")
        self.assertEqual(r["error"]["code"], 400)

    def test_resize_needs_stopped_and_transitions_take_time(self):
        iid = self.create()
        path = self.base + "/instances/%s:" % iid
        status, _, r = self.c.jd("POST", path + "stopInstance", {})
        self.assertEqual((status, r["error"]["status"]), (400, "FAILED_PRECONDITION"),
                         "pending: a task is in progress")
        self.wait_for(iid, "running")
        status, _, r = self.c.jd("POST", path + "resizeInstance", {"instanceType": "g.n2.xlarge"})
        self.assertEqual((status, r["error"]["status"]), (400, "FAILED_PRECONDITION"))
        self.assertEqual(self.c.jd("POST", path + "stopInstance", {})[0], 200)
        self.assertEqual(self.status_of(iid), "stopping")
        self.wait_for(iid, "stopped")
        self.assertEqual(self.c.jd("POST", path + "resizeInstance", {"instanceType": "g.n2.xlarge"})[0], 200)
        self.assertEqual(self.status_of(iid), "resizing")
        self.wait_for(iid, "stopped")
        _, _, r = self.c.jd("GET", self.base + "/instances/" + iid)
        self.assertEqual(r["result"]["instance"]["instanceType"], "g.n2.xlarge")
        self.assertEqual(self.c.jd("POST", path + "startInstance", {})[0], 200)
        self.wait_for(iid, "running")
        self.assertEqual(self.c.jd("DELETE", self.base + "/instances/" + iid)[0], 200)
        self.assertEqual(self.status_of(iid), "deleting")
        self.wait_for(iid, "NOT_FOUND")
        _, _, calls = self.c.call("GET", "/_indep/calls")
        ops = [c for c in calls["sequence"] if not c.startswith("describe")]
        self.assertEqual(ops, ["createInstances", "stopInstance", "resizeInstance", "stopInstance",
                               "resizeInstance", "startInstance", "deleteInstance"])

    def test_plan_check_reads(self):
        _, _, r = self.c.jd("GET", self.base + "/instanceTypes?filters.1.name=instanceTypes"
                                               "&filters.1.values.1=c.n1.large")
        [t] = r["result"]["instanceTypes"]
        self.assertFalse(t["state"][0]["inStock"])
        _, _, r = self.c.jd("GET", self.base + "/imageConstraints?ids.1=%s&ids.2=%s" % (CENTOS, IMAGE))
        self.assertEqual(r["result"]["imageConstraints"][0]["imageInstanceTypeConstraint"],
                         {"constraintsType": "excludes", "instanceTypes": ["g.n2.medium"]})
        self.create()
        _, _, r = self.c.jd("GET", self.base + "/quotas?filters.1.name=resourceTypes"
                                               "&filters.1.values.1=instance")
        self.assertEqual(r["result"]["quotas"], [{"resourceType": "instance", "limit": 20, "used": 1}])


if __name__ == "__main__":
    unittest.main()
