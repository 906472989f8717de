"""Self-test of mcloud_server.py: the seed's envelopes, codes and messages, transitions, and
the misbehaviour knobs, over real HTTP."""

import http.client
import time
import unittest

import indep_common as common
import mcloud_server
from support import Client, knobs

TEMPLATE = {
    "Name": "t", "Provider": "aliyun", "InstanceType": "ecs.c2.medium",
    "ImageId": "centos7u2_64_40G_cloudinit_20160728.raw",
    "SystemDiskCategory": "cloud_efficiency", "DataDiskCategory": "cloud_efficiency",
    "Zone": {"Id": 0, "RegionName": "cn-beijing", "ZoneName": "cn-beijing-c"},
    "Network": {"Id": 0, "VpcId": "", "SubnetId": "", "SecurityGroup": "",
                "InternetChargeType": "PayByBandwidth", "InternetMaxBandwidthOut": 5},
    "DataDiskNum": 1, "DataDiskSize": 100,
}
SPEC = {k: v for k, v in TEMPLATE.items() if k != "Name"}


def start(*argv):
    app = mcloud_server.Broker(knobs(*argv))
    server, base = common.start_in_thread(app)
    return app, server, Client(base)


class McloudServerTest(unittest.TestCase):
    def setUp(self):
        self.app, self.server, self.c = start("--transition-ms", "200")

    def tearDown(self):
        self.server.shutdown()
        self.server.server_close()

    def test_template_create_read_delete_and_errors(self):
        _, _, r = self.c.call("POST", "/v1/cluster", TEMPLATE)
        self.assertEqual(r["code"], 0)
        tid = r["content"]
        self.assertIsInstance(tid, int)
        self.assertEqual(set(r), {"code", "msg", "content", "ext"})
        _, _, r = self.c.call("GET", "/v1/cluster/%d" % tid)
        self.assertEqual(r["content"]["Name"], "t")
        self.assertEqual(r["content"]["DeleteTime"], "0001-01-01T00:00:00Z")
        self.assertEqual((r["content"]["Cpu"], r["content"]["Ram"]), (2, 4))
        bad = dict(TEMPLATE, DataDiskNum=5)
        _, _, r = self.c.call("POST", "/v1/cluster", bad)
        self.assertEqual(r, {"code": 11996, "msg": "The paramter (DataDiskNum) over size limited and "
                                                   "the size range is larger than 0 and less equal 4.!",
                             "content": None, "ext": None})
        _, _, r = self.c.call("GET", "/v1/cluster/abc")
        self.assertEqual((r["code"], r["msg"]), (12996, "Input error!"))
        _, _, r = self.c.call("GET", "/v1/cluster/999999")
        self.assertEqual((r["code"], r["msg"]), (10999, "QuerySeter no row found"))
        _, _, r = self.c.call("DELETE", "/v1/cluster/%d" % tid)
        self.assertEqual((r["code"], r["content"]), (0, True))
        _, _, r = self.c.call("DELETE", "/v1/cluster/%d" % tid)
        self.assertEqual((r["code"], r["msg"]), (10999, "Delete cluster err"))

    def test_instance_create_answers_the_ip_and_starts_over_time(self):
        _, _, r = self.c.call("POST", "/v1/instance", SPEC)
        ip = r["content"]
        self.assertRegex(ip, r"^172\.\d+\.\d+\.\d+$")
        _, _, listed = self.c.call("GET", "/v1/instance/list")
        [m] = listed["content"]
        self.assertEqual(m["PrivateIpAddress"], ip)
        self.assertRegex(m["InstanceId"], r"^i-0[0-9a-f]{16}$")
        self.assertIsNone(m["Cluster"])
        self.assertEqual(m["Status"], mcloud_server.STARTING)
        self.assertEqual(m["PublicIpAddress"], "", "no public IP before it runs")
        time.sleep(0.25)
        _, _, st = self.c.call("GET", "/v1/status/" + m["InstanceId"])
        self.assertEqual(st["content"][0]["status"], mcloud_server.RUNNING)
        self.assertEqual(set(st["content"][0]), {"instance_id", "status", "ip_address"})
        _, _, r = self.c.call("POST", "/v1/instance", dict(SPEC, DataDiskNum=None))
        self.assertEqual((r["code"], r["msg"]), (12996, "Input error"))

    def test_lists_are_newest_first(self):
        ids = []
        for _ in range(3):
            self.c.call("POST", "/v1/instance", SPEC)
            _, _, r = self.c.call("GET", "/v1/instance/list")
            ids.append(r["content"][0]["InstanceId"])
        _, _, r = self.c.call("GET", "/v1/instance/list")
        self.assertEqual([m["InstanceId"] for m in r["content"]], ids[::-1])

    def test_delete_needs_a_correlation_id_and_takes_many_ids(self):
        for _ in range(3):
            self.c.call("POST", "/v1/instance", SPEC)
        _, _, r = self.c.call("GET", "/v1/instance/list")
        ids = [m["InstanceId"] for m in r["content"]]
        _, _, r = self.c.call("DELETE", "/v1/instance/" + ids[0])
        self.assertEqual(r, {"code": 12997, "msg": "Missing requisite parameter(X-CORRELATION-ID)!",
                             "content": None, "ext": None})
        _, _, r = self.c.call("DELETE", "/v1/instance/%s,i-0nothere" % ids[0],
                              headers={"X-CORRELATION-ID": "1-1"})
        self.assertEqual((r["code"], r["msg"]), (10999, "QuerySeter no row found"))
        _, _, r = self.c.call("DELETE", "/v1/instance/" + ",".join(ids[:2]),
                              headers={"X-CORRELATION-ID": "1-1"})
        self.assertEqual(r, {"code": 0, "msg": None, "content": None, "ext": None})
        _, _, r = self.c.call("GET", "/v1/instance/list")
        self.assertEqual([m["InstanceId"] for m in r["content"]], ids[2:])
        _, _, logs = self.c.call("GET", "/v1/instance/log/1-1/" + ids[0])
        self.assertEqual(logs["content"]["Logs"][0]["Action"], "delete")

    def test_expand_stop_start_and_keys(self):
        _, _, r = self.c.call("POST", "/v1/cluster", TEMPLATE)
        tid = r["content"]
        _, _, r = self.c.call("POST", "/v1/cluster/%d/expand/3" % tid, TEMPLATE)
        self.assertEqual(r["code"], 12997)
        _, _, r = self.c.call("POST", "/v1/cluster/%d/expand/3" % tid, TEMPLATE,
                              headers={"X-CORRELATION-ID": "9-9"})
        self.assertEqual((r["code"], len(r["content"]), r["ext"]), (0, 3, 3))
        _, _, members = self.c.call("GET", "/v1/instance/cluster/%d" % tid)
        self.assertEqual({m["InstanceId"] for m in members["content"]}, set(r["content"]))
        self.assertEqual(members["content"][0]["Cluster"]["Id"], tid)
        iid = r["content"][0]
        _, _, r = self.c.call("POST", "/v1/status", {"InstanceId": iid, "Status": 7})
        self.assertEqual(r["content"], 1)
        _, _, r = self.c.call("GET", "/v1/start/" + iid)
        self.assertEqual(r["content"], True)
        _, _, r = self.c.call("GET", "/v1/start/i-0nothere")
        self.assertEqual(r, {"code": 10999, "msg": "Could not start instances", "content": False,
                             "ext": None})
        _, _, r = self.c.call("PUT", "/v1/instance/sshkey/" + iid)
        self.assertIn("PRIVATE KEY", r["content"])
        _, _, r = self.c.call("PUT", "/v1/instance/sshkey/i-0nothere")
        self.assertEqual((r["code"], r["msg"]), (12997, "QuerySeter no row found"))
        _, _, inst = self.c.call("GET", "/v1/instance/" + iid)
        status, headers, key = self.c.call(
            "GET", "/v1/instance/sshkey/" + inst["content"]["PrivateIpAddress"], raw=True)
        self.assertEqual(status, 200)
        self.assertIn(b"PRIVATE KEY", key)
        self.assertIn("attachment", headers["Content-Disposition"])

    def test_catalogs_and_unknown_cloud(self):
        _, _, r = self.c.call("GET", "/v1/instance/provider")
        self.assertEqual(r["content"], ["aliyun", "aws", "openstack"])
        _, _, r = self.c.call("GET", "/v1/instance/zones/aliyun/cn-beijing")
        self.assertIn("cn-beijing-c", [z["ZoneName"] for z in r["content"]])
        _, _, r = self.c.call("GET", "/v1/instance/type/nimbus")
        self.assertEqual((r["code"], r["msg"]), (10999, "unknown backend provider driver: nimbus"))
        status, _, _ = self.c.call("GET", "/v1/nothing", raw=True)
        self.assertEqual(status, 404)


class McloudKnobsTest(unittest.TestCase):
    def test_lost_answers_are_acted_on(self):
        app, server, c = start("--lose-answers", "1")
        try:
            host, port = server.server_address[:2]
            conn = http.client.HTTPConnection(host, port, timeout=5)
            conn.request("POST", "/v1/instance", body=mcloud_server.json.dumps(SPEC))
            with self.assertRaises((http.client.RemoteDisconnected, ConnectionError)):
                conn.getresponse()
            _, _, objects = c.call("GET", "/_indep/objects")
            self.assertEqual(len(objects["instances"]), 1, "the create happened")
            _, _, calls = c.call("GET", "/_indep/calls")
            self.assertEqual(calls["lost"], 1)
        finally:
            server.shutdown()
            server.server_close()

    def test_lose_only_loses_the_named_route(self):
        app, server, c = start("--lose-answers", "1", "--lose-only", "POST /v1/instance")
        try:
            status, _, r = c.call("GET", "/v1/instance/provider")
            self.assertEqual((status, r["code"]), (200, 0))
            with self.assertRaises(Exception):
                c.call("POST", "/v1/instance", SPEC)
            _, _, calls = c.call("GET", "/_indep/calls")
            self.assertEqual(calls["lost_requests"], ["POST /v1/instance"])
        finally:
            server.shutdown()
            server.server_close()

    def test_throttling_answers_429_with_retry_after(self):
        app, server, c = start("--throttle-rps", "30")
        try:
            statuses = [c.call("GET", "/v1/instance/list", raw=True)[0] for _ in range(12)]
            self.assertIn(429, statuses)
            self.assertEqual(statuses[:3], [200, 200, 200], "a burst of three is let through")
            status, headers, body = c.call("GET", "/v1/instance/list", raw=True)
            if status == 429:
                self.assertEqual(headers["Retry-After"], "1")
                self.assertIn(b"429 Too Many Requests", body)
            _, _, calls = c.call("GET", "/_indep/calls")
            self.assertGreaterEqual(calls["counts"]["GET /v1/instance/list"], 3)
            self.assertGreaterEqual(calls["throttled"], 1)
        finally:
            server.shutdown()
            server.server_close()

    def test_answers_come_late(self):
        app, server, c = start("--answer-delay-ms", "150")
        try:
            t0 = time.monotonic()
            c.call("GET", "/v1/instance/provider")
            self.assertGreaterEqual(time.monotonic() - t0, 0.15)
        finally:
            server.shutdown()
            server.server_close()


if __name__ == "__main__":
    unittest.main()
