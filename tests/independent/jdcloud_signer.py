"""JDCLOUD2-HMAC-SHA256 (and the JDCLOUD3 variant) as `shared/reference/cloud-apis.md` 1.2
describes it, written from that description alone: canonical request, string to sign,
signing key, and a verifier that rebuilds the canonical request from `SignedHeaders`.
Checked against the reference's published test vector in `test_jdcloud_server.py`.
"""

import hashlib
import hmac
import re
from urllib.parse import unquote_to_bytes

UNRESERVED = set(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.~")

ALGORITHMS = {
    "JDCLOUD2-HMAC-SHA256": ("JDCLOUD2", "jdcloud2_request"),
    "JDCLOUD3-HMAC-SHA256": ("JDCLOUD3", "jdcloud3_request"),
}


def encode(data, keep_slash=False):
    """Every byte outside the unreserved set (and `/` in paths) as upper-case `%XX`."""
    if isinstance(data, str):
        data = data.encode("utf-8")
    out = []
    for b in data:
        if b in UNRESERVED or (keep_slash and b == ord("/")):
            out.append(chr(b))
        else:
            out.append("%%%02X" % b)
    return "".join(out)


def canonical_query(raw_query):
    """Decode (`+` is a space), sort by name then value as bytes, re-encode, `name=value`."""
    if not raw_query:
        return ""
    pairs = []
    for item in raw_query.split("&"):
        if item == "":
            continue
        name, _, value = item.partition("=")
        n = unquote_to_bytes(name.replace("+", " "))
        v = unquote_to_bytes(value.replace("+", " "))
        pairs.append((n, v))
    pairs.sort()
    return "&".join(encode(n) + "=" + encode(v) for n, v in pairs)


def canonical_headers(headers, names):
    """`name:value\\n` for each signed name (sorted), values trimmed with inner spaces collapsed;
    `headers` maps lower-case names to lists of values."""
    lines = []
    for name in sorted(names):
        values = headers.get(name, [])
        joined = ",".join(re.sub(r" +", " ", v.strip()) for v in values)
        lines.append("%s:%s\n" % (name, joined))
    return "".join(lines)


def canonical_request(method, canonical_uri, raw_query, headers, signed, body):
    return "\n".join([
        method.upper(),
        canonical_uri or "/",
        canonical_query(raw_query),
        canonical_headers(headers, signed),
        ";".join(sorted(signed)),
        hashlib.sha256(body).hexdigest(),
    ])


def signing_key(algorithm, secret, short_date, region, service):
    seed, terminator = ALGORITHMS[algorithm]

    def h(key, msg):
        return hmac.new(key, msg.encode("utf-8"), hashlib.sha256).digest()

    k = h((seed + secret).encode("utf-8"), short_date)
    k = h(k, region)
    k = h(k, service)
    return h(k, terminator)


def signature(algorithm, secret, date, scope, creq):
    short_date, region, service, _ = scope.split("/")
    string_to_sign = "\n".join([algorithm, date, scope,
                                hashlib.sha256(creq.encode("utf-8")).hexdigest()])
    key = signing_key(algorithm, secret, short_date, region, service)
    return hmac.new(key, string_to_sign.encode("utf-8"), hashlib.sha256).hexdigest()


AUTH_RE = re.compile(
    r"^(JDCLOUD[23]-HMAC-SHA256) Credential=([^/]+)/(\d{8})/([^/]+)/([^/]+)/(jdcloud[23]_request),"
    r" ?SignedHeaders=([a-z0-9;_-]+), ?Signature=([0-9a-f]{64})$")


class AuthError(Exception):
    """Why a request's signature is refused (the message is safe to send back)."""


def verify(method, raw_path, raw_query, headers, body, secrets):
    """Checks a request; returns the parsed credential dict or raises AuthError.
    `headers`: lower-case name -> list of values. `secrets`: access key -> secret key."""
    auth = headers.get("authorization", [""])[0]
    m = AUTH_RE.match(auth.strip())
    if not m:
        raise AuthError("missing or malformed Authorization header")
    algorithm, ak, short_date, region, service, terminator, signed_text, sig = m.groups()
    if ALGORITHMS[algorithm][1] != terminator:
        raise AuthError("credential scope does not match the algorithm")
    signed = signed_text.split(";")
    for needed in ("x-jdcloud-date", "x-jdcloud-nonce"):
        if needed not in signed or needed not in headers:
            raise AuthError("%s must be sent and signed" % needed)
    for name in signed:
        if name not in headers:
            raise AuthError("signed header %s is missing" % name)
    date = headers["x-jdcloud-date"][0].strip()
    if not re.fullmatch(r"\d{8}T\d{6}Z", date) or date[:8] != short_date:
        raise AuthError("x-jdcloud-date does not match the credential scope")
    secret = secrets.get(ak)
    if secret is None:
        raise AuthError("unknown access key")
    scope = "/".join([short_date, region, service, terminator])
    candidates = [raw_path or "/"]
    lenient = encode(unquote_to_bytes(raw_path or "/"), keep_slash=True)
    if lenient not in candidates:
        candidates.append(lenient)
    for uri in candidates:
        creq = canonical_request(method, uri, raw_query, headers, signed, body)
        if hmac.compare_digest(signature(algorithm, secret, date, scope, creq), sig):
            return {"access_key": ak, "region": region, "service": service, "date": date,
                    "nonce": headers["x-jdcloud-nonce"][0].strip()}
    raise AuthError("signature does not match")
