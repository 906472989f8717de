"""Self-test of twocloud_server.py: basic auth, required parameters, f/t paging and the
seed's answer shape, over real HTTP/1.0."""

import base64
import unittest

import indep_common as common
import twocloud_server
from support import Client, knobs


def basic(token, password="anything"):
    return {"Authorization": "Basic " + base64.b64encode(
        ("%s:%s" % (token, password)).encode()).decode()}


class TwocloudServerTest(unittest.TestCase):
    def setUp(self):
        app = twocloud_server.TwoCloud(knobs(), "tok", "123", "gz", "qcloud", 25)
        self.server, base = common.start_in_thread(app, handler=common.Http10Handler)
        self.c = Client(base)
        self.q = "/twocloud/servers?party=qcloud&tenant_id=123&region=gz"

    def tearDown(self):
        self.server.shutdown()
        self.server.server_close()

    def test_the_seed_shape_and_http_1_0(self):
        status, headers, r = self.c.call("GET", self.q + "&f=1&t=10", headers=basic("tok"))
        self.assertEqual(status, 200)
        self.assertEqual(headers["Server"], "Werkzeug/0.10.4 Python/2.7.5")
        self.assertEqual((r["code"], r["msg"]), (200, ""))
        self.assertEqual(len(r["vm_servers"]), 10)
        self.assertEqual(set(r["vm_servers"][0]), {
            "instance_name", "instance_id", "cpu_num", "mem_size", "disk_size", "lan_ip_set",
            "wan_ip_set", "status", "create_at", "update_at"})
        self.assertIsInstance(r["vm_servers"][0]["cpu_num"], int)

    def test_paging_is_one_based_and_inclusive(self):
        _, _, everything = self.c.call("GET", self.q, headers=basic("tok"))
        allv = everything["vm_servers"]
        self.assertEqual(len(allv), 25)
        pages = []
        f = 1
        while True:
            _, _, r = self.c.call("GET", self.q + "&f=%d&t=%d" % (f, f + 9), headers=basic("tok"))
            pages.extend(r["vm_servers"])
            if len(r["vm_servers"]) < 10:
                break
            f += 10
        self.assertEqual(pages, allv)
        _, _, r = self.c.call("GET", self.q + "&f=2&t=2", headers=basic("tok"))
        self.assertEqual(r["vm_servers"], allv[1:2])
        _, _, r = self.c.call("GET", self.q + "&f=30&t=40", headers=basic("tok"))
        self.assertEqual(r["vm_servers"], [])
        status, _, r = self.c.call("GET", self.q + "&f=0&t=3", headers=basic("tok"))
        self.assertEqual((status, r["code"]), (400, 400))
        status, _, r = self.c.call("GET", self.q + "&f=x", headers=basic("tok"))
        self.assertEqual(r["msg"], "invalid paging parameter: f")

    def test_auth_and_required_parameters(self):
        status, headers, r = self.c.call("GET", self.q)
        self.assertEqual((status, r), (401, {"code": 401, "msg": "invalid token", "vm_servers": []}))
        self.assertEqual(headers["WWW-Authenticate"], 'Basic realm="twocloud"')
        self.assertEqual(self.c.call("GET", self.q, headers=basic("nope"))[0], 401)
        self.assertEqual(self.c.call("GET", self.q, headers=basic("tok", ""))[0], 200,
                         "the password may be any string")
        status, _, r = self.c.call("GET", "/twocloud/servers?party=qcloud&tenant_id=123",
                                   headers=basic("tok"))
        self.assertEqual((status, r["msg"]), (400, "missing required parameter: region"))
        _, _, r = self.c.call("GET", "/twocloud/servers?party=qcloud&tenant_id=9&region=gz",
                              headers=basic("tok"))
        self.assertEqual(r["vm_servers"], [], "another tenant has no machines")


if __name__ == "__main__":
    unittest.main()
