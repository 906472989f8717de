"""Self-test of roma_server.py: IAM tokens, X-Auth-Token, offset/limit paging and the seed's
error bodies, over real HTTP."""

import time
import unittest

import indep_common as common
import roma_server
from support import Client

PROJECT = "106506b9a92342df9a5025fc12351cfc"


def token_body(user="indep-user", password="indep-password", project=None):
    return {"auth": {
        "identity": {"methods": ["password"], "password": {"user": {
            "name": user, "password": password, "domain": {"name": "indep-domain"}}}},
        "scope": {"project": project or {"name": "cn-north-4"}}}}


class RomaServerTest(unittest.TestCase):
    def start(self, *argv):
        args = roma_server.parser().parse_args(list(argv) + ["--seed", "5"])
        self.server, base = common.start_in_thread(roma_server.Roma(common.Knobs(args), args))
        self.c = Client(base)

    def setUp(self):
        self.start()

    def tearDown(self):
        self.server.shutdown()
        self.server.server_close()

    def token(self, **kw):
        status, headers, r = self.c.call("POST", "/v3/auth/tokens?nocatalog=true", token_body(**kw),
                                         headers={"Content-Type": "application/json;charset=utf8"})
        self.assertEqual(status, 201, r)
        self.assertNotIn("catalog", r["token"])
        self.assertEqual(r["token"]["project"]["id"], PROJECT)
        self.assertTrue(headers["X-Subject-Token"].startswith("MII"))
        return headers["X-Subject-Token"]

    def list(self, token, query=""):
        return self.c.call("GET", "/v2/%s/instances%s" % (PROJECT, query),
                           headers={"X-Auth-Token": token} if token else {})

    def test_token_and_paging(self):
        tok = self.token()
        status, _, r = self.list(tok)
        self.assertEqual(status, 200)
        self.assertEqual((r["total"], r["size"], len(r["instances"])), (23, 10, 10))
        seen = []
        offset = 0
        while True:
            _, _, r = self.list(tok, "?offset=%d&limit=7" % offset)
            seen.extend(i["id"] for i in r["instances"])
            offset += r["size"]
            if offset >= r["total"]:
                break
        self.assertEqual(len(seen), 23)
        self.assertEqual(len(set(seen)), 23)
        _, _, r = self.list(tok, "?status=RUNNING&limit=100")
        self.assertTrue(all(i["status"] == "RUNNING" for i in r["instances"]))
        self.assertEqual(r["total"], r["size"])
        self.assertEqual(self.token(project={"id": PROJECT})[:3], "MII")

    def test_error_bodies_are_the_seeds(self):
        status, _, r = self.list(None)
        self.assertEqual(status, 401)
        self.assertEqual((r["error_code"], r["error_msg"]),
                         ("ROMA.00012000", "Incorrect token or token resolution failed"))
        self.assertEqual(set(r), {"error_code", "error_msg", "error_details", "request_id"})
        tok = self.token()
        status, _, r = self.list(tok, "?limit=0")
        self.assertEqual((status, r["error_code"], r["error_msg"]), (
            400, "ROMA.00013000",
            "Invalid parameter value,parameterName:limit. Please refer to the support documentation"))
        status, _, r = self.list(tok, "?offset=-1")
        self.assertIn("parameterName:offset", r["error_msg"])
        status, _, r = self.c.call("GET", "/v2/other-project/instances", headers={"X-Auth-Token": tok})
        self.assertEqual((status, r["error_msg"]), (403, "No permissions to request this method"))
        status, _, r = self.c.call("POST", "/v3/auth/tokens", token_body(password="wrong"))
        self.assertEqual((status, r["error"]["title"]), (401, "Unauthorized"))

    def test_tokens_expire_and_system_errors(self):
        self.tearDown()
        self.start("--token-ttl-s", "0.2", "--fail-requests", "1")
        tok = self.token()
        status, _, r = self.list(tok)
        self.assertEqual((status, r["error_code"], r["error_msg"]), (500, "ROMA.00011000", "System error"))
        self.assertEqual(self.list(tok)[0], 200)
        time.sleep(0.25)
        self.assertEqual(self.list(tok)[0], 401, "expired")


if __name__ == "__main__":
    unittest.main()
