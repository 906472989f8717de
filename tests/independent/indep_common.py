"""What every independent server shares: the command-line knobs that make a server behave
like a real, imperfect service (late answers, lost answers, throttling), call counting for
the tests, and the `listening on HOST:PORT` start-up line that the Rust tests read.

These servers are written from the seed documents alone (never from skyform's own
simulators), in the Python standard library only, so that skyform's clients are checked
against a second, independent reading of each seed.
"""

import argparse
import json
import random
import socket
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def knob_parser(description):
    """The arguments every server takes; each server adds its own."""
    p = argparse.ArgumentParser(description=description)
    p.add_argument("--listen", default="127.0.0.1:0", help="HOST:PORT (port 0 picks a free one)")
    p.add_argument("--answer-delay-ms", type=int, default=0,
                   help="act on a request at once, then wait this long before answering")
    p.add_argument("--lose-answers", type=float, default=0.0,
                   help="fraction of requests acted on whose answer is never sent (connection closed)")
    p.add_argument("--lose-only", action="append", default=[], metavar="ROUTE",
                   help="lose answers only of this route (`POST /v1/instance`); repeatable")
    p.add_argument("--throttle-rps", type=float, default=0.0,
                   help="API calls per second (token bucket, a tenth of a second of burst); more get HTTP 429")
    p.add_argument("--transition-ms", type=int, default=0,
                   help="how long machines stay in transient states")
    p.add_argument("--seed", type=int, default=None, help="random seed (ids, lost answers)")
    return p


class Knobs:
    """Misbehaviour settings, fixed at start-up."""

    def __init__(self, args):
        self.answer_delay = max(0, args.answer_delay_ms) / 1000.0
        self.lose_answers = min(max(args.lose_answers, 0.0), 1.0)
        self.lose_only = set(args.lose_only)
        self.throttle_rps = max(args.throttle_rps, 0.0)
        self.transition = max(0, args.transition_ms) / 1000.0
        self.rng = random.Random(args.seed)
        self._lock = threading.Lock()
        self._refilled = time.monotonic()
        self._tokens = max(1.0, self.throttle_rps / 10.0)

    def throttled(self):
        """True when this request finds the token bucket empty: it refills at `throttle_rps`
        a second and holds a tenth of a second's worth (at least one), so a burst of
        parallel calls is throttled even when the average rate is low, as at an API gateway."""
        if self.throttle_rps <= 0:
            return False
        with self._lock:
            now = time.monotonic()
            capacity = max(1.0, self.throttle_rps / 10.0)
            self._tokens = min(capacity, self._tokens + (now - self._refilled) * self.throttle_rps)
            self._refilled = now
            if self._tokens >= 1.0:
                self._tokens -= 1.0
                return False
            return True

    def lose(self, route=None):
        if self.lose_answers <= 0:
            return False
        if self.lose_only and route not in self.lose_only:
            return False
        with self._lock:
            return self.rng.random() < self.lose_answers


class Calls:
    """Counts per route (`METHOD /route/pattern`) and the sequence of calls, for the tests."""

    def __init__(self):
        self._lock = threading.Lock()
        self.counts = {}
        self.sequence = []
        self.lost = 0
        self.lost_requests = []
        self.throttled = 0

    def record(self, route):
        with self._lock:
            self.counts[route] = self.counts.get(route, 0) + 1
            self.sequence.append(route)

    def note_lost(self, method, path):
        with self._lock:
            self.lost += 1
            self.lost_requests.append(method + " " + path)

    def note_throttled(self):
        with self._lock:
            self.throttled += 1

    def snapshot(self):
        with self._lock:
            return {"counts": dict(self.counts), "sequence": list(self.sequence),
                    "lost": self.lost, "lost_requests": list(self.lost_requests),
                    "throttled": self.throttled}

    def reset(self):
        with self._lock:
            self.counts.clear()
            self.sequence.clear()
            self.lost = 0
            self.lost_requests.clear()
            self.throttled = 0


class Reply:
    """An answer: status, headers, body bytes. `lost` answers are never sent."""

    def __init__(self, status, body, headers=None, content_type="application/json"):
        self.status = status
        self.route = None  # set by the app, for `--lose-only`
        if isinstance(body, (bytes, bytearray)):
            self.body = bytes(body)
        else:
            self.body = json.dumps(body, ensure_ascii=False).encode("utf-8")
        self.headers = dict(headers or {})
        self.headers.setdefault("Content-Type", content_type)


class Handler(BaseHTTPRequestHandler):
    """Dispatches to `server.app.handle(request)`; `/_indep/...` paths are the test endpoints
    and never misbehave. Subclasses set `protocol_version`."""

    protocol_version = "HTTP/1.1"
    server_version = "indep"

    def log_message(self, fmt, *args):  # quiet: tests read stdout
        pass

    def _serve(self):
        app = self.server.app
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length > 0 else b""
        path = self.path
        if path.startswith("/_indep/"):
            reply = app.inspect(self.command, path, body)
            self._send(reply)
            return
        knobs = app.knobs
        if knobs.throttled():
            app.calls.note_throttled()
            self._send(app.throttle_reply())
            return
        reply = app.handle(self.command, path, self.headers, body)
        if reply is None:
            return
        if knobs.answer_delay:
            time.sleep(knobs.answer_delay)
        if knobs.lose(reply.route):
            # The request was acted on; the answer never arrives.
            app.calls.note_lost(self.command, path)
            self.close_connection = True
            try:
                self.connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            return
        self._send(reply)

    def _send(self, reply):
        self.send_response(reply.status)
        for k, v in reply.headers.items():
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(reply.body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(reply.body)

    do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = do_HEAD = _serve


class Http10Handler(Handler):
    """A Werkzeug-0.10-style server: HTTP/1.0, one request per connection."""

    protocol_version = "HTTP/1.0"
    server_version = "Werkzeug/0.10.4"
    sys_version = "Python/2.7.5"


def serve(app, args, handler=Handler):
    """Binds, prints `listening on HOST:PORT` (flushed, first stdout line), serves forever."""
    host, _, port = args.listen.rpartition(":")
    server = ThreadingHTTPServer((host or "127.0.0.1", int(port or 0)), handler)
    server.daemon_threads = True
    server.app = app
    bound_host, bound_port = server.server_address[:2]
    sys.stdout.write("listening on %s:%d\n" % (bound_host, bound_port))
    sys.stdout.flush()
    try:
        server.serve_forever(poll_interval=0.05)
    except KeyboardInterrupt:
        pass
    return server


def start_in_thread(app, handler=Handler):
    """For the Python self-tests: the same server on a free port, in a background thread.
    Returns (server, base_url)."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    server.app = app
    t = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    t.start()
    host, port = server.server_address[:2]
    return server, "http://%s:%d" % (host, port)
