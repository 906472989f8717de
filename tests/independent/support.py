"""Helpers for the self-tests: start a server in-process on a free port and talk to it with
urllib, as a client would."""

import json
import urllib.error
import urllib.request

import indep_common as common


def knobs(*argv):
    return common.Knobs(common.knob_parser("test").parse_args(list(argv) + ["--seed", "3"]))


class Client:
    def __init__(self, base):
        self.base = base

    def call(self, method, path, body=None, headers=None, raw=False):
        """(status, headers, decoded JSON or raw bytes) of one request."""
        data = None
        if body is not None:
            data = body if isinstance(body, bytes) else json.dumps(body).encode("utf-8")
        req = urllib.request.Request(self.base + path, data=data, method=method,
                                     headers=dict(headers or {}))
        try:
            with urllib.request.urlopen(req, timeout=10) as r:
                status, hdrs, payload = r.status, r.headers, r.read()
        except urllib.error.HTTPError as e:
            status, hdrs, payload = e.code, e.headers, e.read()
        if raw:
            return status, hdrs, payload
        return status, hdrs, json.loads(payload)
