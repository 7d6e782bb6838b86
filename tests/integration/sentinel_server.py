#!/usr/bin/env python3
"""A stand-in for Microsoft Entra, Azure IMDS / Azure Arc and the Azure Monitor Logs Ingestion
API, following the documented contract (docs/SENTINEL.md), on 127.0.0.1 with real TLS.

One HTTPS port serves the token endpoint (POST /{tenant}/oauth2/v2.0/token: client secret or
RS256 client assertion, verified with openssl against the client certificate's public key)
and the ingestion endpoint (POST /dataCollectionRules/{dcr}/streams/{stream}?api-version=
2023-01-01). One plain HTTP port serves managed identity tokens: IMDS (api-version 2018-02-01,
Metadata: true) and Azure Arc (api-version 2019-11-01: a 401 naming a fresh challenge file,
then Basic authorization with its content).

The ingestion endpoint checks the path, the bearer token (issued here, not expired), the
content type and encoding, that the body is a JSON array of objects, every column's name and
type against the DCR template's stream declaration and Microsoft's table column list, the
1 MB limit on the compressed and the uncompressed body (413) and 64 KB per string value.
A violation is answered 400 and recorded. --script lists answers for the coming ingestion
requests (one per request, in order): 401 (as if the token expired; the token is revoked),
403, 400, 413, 429:SECONDS, 503:SECONDS, 500, huge (a 500 announcing a 100 MB body, 1 KB
sent, the connection held), drop (close without an answer, nothing accepted), takedrop
(accept the rows, then close without an answer), ok.

Accepted rows' EventOriginalUid values are appended to --ids; a JSON summary (counts) is
rewritten to --summary after every request.
"""
import argparse
import base64
import datetime
import gzip
import hashlib
import json
import os
import secrets
import socketserver
import ssl
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, HTTPServer

LIMIT = 1048576  # "Maximum allowed content length: 1048576 bytes" (docs/SENTINEL.md §2)
FIELD_MAX = 64 * 1024

lock = threading.Lock()
state = {
    "ingest_requests": 0, "answers": {}, "rows_accepted": 0, "violations": [],
    "tokens": {"client_secret": 0, "client_assertion": 0, "imds": 0, "arc": 0},
    "token_refused": 0, "arc_challenges": 0, "max_body": 0, "max_wire": 0,
    "gzip_requests": 0, "rejected_rows": 0, "jti": [],
}
tokens = {}  # token -> expiry (time.time())
arc_secrets = set()


def b64url_decode(s):
    return base64.urlsafe_b64decode(s + "=" * (-len(s) % 4))


def b64url(b):
    return base64.urlsafe_b64encode(b).rstrip(b"=").decode()


class Ctx:
    pass


ctx = Ctx()


def save_summary():
    with open(ctx.args.summary + ".tmp", "w") as f:
        json.dump(state, f)
    os.replace(ctx.args.summary + ".tmp", ctx.args.summary)


def log(msg):
    with open(ctx.args.log, "a") as f:
        f.write(time.strftime("%H:%M:%S ") + msg + "\n")


def issue_token(kind, as_string=False):
    tok = "tok-" + secrets.token_hex(24)
    with lock:
        tokens[tok] = time.time() + ctx.args.token_valid
        state["tokens"][kind] += 1
    life = ctx.args.token_lifetime
    return {"token_type": "Bearer", "expires_in": str(life) if as_string else life,
            "access_token": tok, "resource": "https://monitor.azure.com"}


def verify_assertion(assertion, token_url):
    """Checks the client assertion as Entra would (docs/SENTINEL.md §3). Returns an error or None."""
    parts = assertion.split(".")
    if len(parts) != 3:
        return "assertion is not a JWS compact serialization"
    header = json.loads(b64url_decode(parts[0]))
    claims = json.loads(b64url_decode(parts[1]))
    if header.get("alg") != "RS256" or header.get("typ") != "JWT":
        return "header alg/typ: %r" % header
    if header.get("x5t") != ctx.x5t or header.get("x5t#S256") != ctx.x5t256:
        return "x5t / x5t#S256 do not match the certificate"
    now = time.time()
    if claims.get("aud") != token_url:
        return "aud %r != %r" % (claims.get("aud"), token_url)
    if claims.get("iss") != ctx.args.client_id or claims.get("sub") != ctx.args.client_id:
        return "iss/sub are not the client id"
    if not (claims.get("nbf", 1e18) <= now + 60 and claims.get("exp", 0) > now):
        return "nbf/exp do not cover now"
    if claims.get("exp", 0) - claims.get("nbf", 0) > 3600:
        return "assertion valid too long"
    jti = claims.get("jti")
    if not jti or jti in state["jti"]:
        return "jti missing or reused"
    with tempfile.TemporaryDirectory() as d:
        data = os.path.join(d, "data")
        sig = os.path.join(d, "sig")
        with open(data, "wb") as f:
            f.write((parts[0] + "." + parts[1]).encode())
        with open(sig, "wb") as f:
            f.write(b64url_decode(parts[2]))
        r = subprocess.run(["openssl", "dgst", "-sha256", "-verify", ctx.pubkey, "-signature",
                            sig, data], capture_output=True)
        if r.returncode != 0:
            return "RS256 signature does not verify: " + r.stdout.decode() + r.stderr.decode()
    state["jti"].append(jti)
    return None


def check_value(name, ctype, v):
    if ctype == "string":
        if not isinstance(v, str):
            return "%s: string expected, got %r" % (name, v)
        if len(v.encode()) > FIELD_MAX:
            return "%s: value over 64 KB (the service would truncate it)" % name
    elif ctype in ("int", "long"):
        if not isinstance(v, int) or isinstance(v, bool):
            return "%s: int expected, got %r" % (name, v)
    elif ctype == "boolean":
        if not isinstance(v, bool):
            return "%s: boolean expected, got %r" % (name, v)
    elif ctype == "real":
        if not isinstance(v, (int, float)) or isinstance(v, bool):
            return "%s: real expected, got %r" % (name, v)
    elif ctype == "datetime":
        if not isinstance(v, str):
            return "%s: datetime text expected, got %r" % (name, v)
        try:
            datetime.datetime.fromisoformat(v.replace("Z", "+00:00")[:26] +
                                            ("+00:00" if v.endswith("Z") else ""))
        except ValueError:
            return "%s: not an ISO 8601 time: %r" % (name, v)
    elif ctype == "dynamic":
        if not isinstance(v, (dict, list)):
            return "%s: dynamic (object) expected, got %r" % (name, v)
        if len(json.dumps(v).encode()) > FIELD_MAX:
            return "%s: value over 64 KB" % name
    return None


def check_rows(rows):
    if not isinstance(rows, list) or not rows:
        return "body is not a non-empty JSON array"
    for row in rows:
        if not isinstance(row, dict):
            return "array element is not an object"
        if "TimeGenerated" not in row or "EventOriginalUid" not in row:
            return "row without TimeGenerated or EventOriginalUid"
        for k, v in row.items():
            if k not in ctx.stream:
                return "column %s is not declared in the DCR stream" % k
            if k not in ctx.table:
                return "column %s is not a column of ASimDnsActivityLogs" % k
            if ctx.table[k] != ctx.stream[k]:
                return "column %s: stream type %s, table type %s" % (k, ctx.stream[k], ctx.table[k])
            err = check_value(k, ctx.stream[k], v)
            if err:
                return err
        if row["TimeGenerated"] != row.get("EventStartTime", row["TimeGenerated"]):
            return "TimeGenerated is not the event time"
    return None


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *a):
        log("%s %s" % (self.client_address[1], fmt % a))

    def answer(self, code, body=None, headers=()):
        data = json.dumps(body).encode() if body is not None else b""
        self.send_response(code)
        for k, v in headers:
            self.send_header(k, v)
        if data:
            self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def read_body(self):
        n = int(self.headers.get("Content-Length", "0"))
        return self.rfile.read(n)

    # ---- managed identity (plain HTTP port) ----
    def do_GET(self):
        u = urllib.parse.urlparse(self.path)
        q = urllib.parse.parse_qs(u.query)
        if u.path != "/metadata/identity/oauth2/token" or self.headers.get("Metadata") != "true":
            return self.answer(400, {"error": "invalid_request", "error_description": "bad path or no Metadata header"})
        if q.get("resource") != [ctx.args.resource]:
            return self.answer(400, {"error": "invalid_resource", "error_description": "resource %r" % q.get("resource")})
        ver = q.get("api-version", [""])[0]
        if ver == "2018-02-01":
            return self.answer(200, issue_token("imds", as_string=True))
        if ver == "2019-11-01":
            auth = self.headers.get("Authorization", "")
            if auth.startswith("Basic ") and auth[6:] in arc_secrets:
                arc_secrets.discard(auth[6:])
                return self.answer(200, issue_token("arc", as_string=True))
            if auth:
                return self.answer(401, {"error": "invalid_client", "error_description": "wrong challenge answer"})
            secret = secrets.token_hex(16)
            path = os.path.join(ctx.args.arc_dir, secrets.token_hex(8) + ".key")
            with open(path, "w") as f:
                f.write(secret)
            arc_secrets.add(secret)
            with lock:
                state["arc_challenges"] += 1
                save_summary()
            return self.answer(401, {"error": "unauthorized"},
                               [("WWW-Authenticate", "Basic realm=" + path)])
        return self.answer(400, {"error": "invalid_request", "error_description": "api-version"})

    def do_POST(self):
        u = urllib.parse.urlparse(self.path)
        if u.path.endswith("/oauth2/v2.0/token"):
            return self.token(u)
        return self.ingest(u)

    # ---- Entra token endpoint ----
    def token(self, u):
        form = urllib.parse.parse_qs(self.read_body().decode())
        one = lambda k: form.get(k, [None])[0]
        token_url = "https://%s%s" % (self.headers.get("Host", ""), u.path)
        err = None
        if u.path != "/%s/oauth2/v2.0/token" % ctx.args.tenant:
            err = ("invalid_request", "AADSTS90002: Tenant not found")
        elif self.headers.get("Content-Type") != "application/x-www-form-urlencoded":
            err = ("invalid_request", "content type")
        elif one("grant_type") != "client_credentials" or one("client_id") != ctx.args.client_id:
            err = ("unauthorized_client", "grant_type or client_id")
        elif one("scope") != ctx.args.scope:
            err = ("invalid_scope", "AADSTS70011: scope %r" % one("scope"))
        elif one("client_secret") is not None:
            if one("client_secret") != ctx.secret:
                err = ("invalid_client", "AADSTS7000215: Invalid client secret provided.")
            kind = "client_secret"
        elif one("client_assertion") is not None:
            if one("client_assertion_type") != "urn:ietf:params:oauth:client-assertion-type:jwt-bearer":
                err = ("invalid_client", "client_assertion_type")
            else:
                why = verify_assertion(one("client_assertion"), token_url)
                if why:
                    err = ("invalid_client", "AADSTS700027: " + why)
            kind = "client_assertion"
        else:
            err = ("invalid_client", "no credential")
        if err:
            with lock:
                state["token_refused"] += 1
                save_summary()
            log("token refused: %s %s" % err)
            return self.answer(401 if err[0] == "invalid_client" else 400,
                               {"error": err[0], "error_description": err[1]})
        body = issue_token(kind)
        with lock:
            save_summary()
        return self.answer(200, body)

    # ---- Logs Ingestion API ----
    def ingest(self, u):
        raw = self.read_body()
        with lock:
            state["ingest_requests"] += 1
            step = ctx.script.pop(0) if ctx.script else "ok"
        code, retry = step, None
        if ":" in step:
            code, retry = step.split(":")

        def reply(status, ecode, msg, headers=()):
            with lock:
                state["answers"][str(status)] = state["answers"].get(str(status), 0) + 1
                save_summary()
            if status >= 400:
                log("answer %d %s: %s" % (status, ecode, msg))
            return self.answer(status, {"error": {"code": ecode, "message": msg}} if ecode else None,
                               headers)

        def violation(msg):
            with lock:
                state["violations"].append(msg)
            return reply(400, "InvalidRequest", msg)

        expected = "/dataCollectionRules/%s/streams/%s" % (ctx.args.dcr, ctx.args.stream)
        if u.path != expected or urllib.parse.parse_qs(u.query).get("api-version") != ["2023-01-01"]:
            return violation("path %s" % self.path)
        auth = self.headers.get("Authorization", "")
        if code == "drop":
            self.close_connection = True
            self.connection.shutdown(2)
            return None
        if code == "401":
            with lock:
                tokens.pop(auth[7:], None)
            return reply(401, "InvalidToken", "The access token is expired (scripted).")
        if not auth.startswith("Bearer ") or tokens.get(auth[7:], 0) < time.time():
            return reply(401, "InvalidToken", "The access token is missing, invalid or expired.")
        if code == "403":
            return reply(403, "OperationFailed", "The authentication token provided does not have access to ingest data for the data collection rule with immutable Id '%s'." % ctx.args.dcr)
        if code == "400":
            return reply(400, "InvalidStream", "Stream is not valid (scripted).")
        if code == "413":
            return reply(413, "ContentLengthLimitExceeded", "Maximum allowed content length: %d bytes (scripted)." % LIMIT)
        if code in ("429", "503"):
            with lock:
                pass
            return reply(int(code), "TooManyRequests" if code == "429" else "ServiceUnavailable",
                         "Throttled (scripted).", [("Retry-After", retry or "1")])
        if code == "500":
            return reply(500, "InternalServerError", "scripted")
        if code == "huge":  # announces 100 MB, sends 1 KB and holds the connection
            with lock:
                state["answers"]["huge"] = state["answers"].get("huge", 0) + 1
                save_summary()
            self.send_response(500)
            self.send_header("Content-Length", "100000000")
            self.end_headers()
            self.wfile.write(b"x" * 1024)
            self.wfile.flush()
            time.sleep(8)
            self.close_connection = True
            return None
        if self.headers.get("Content-Type") != "application/json":
            return violation("content type %r" % self.headers.get("Content-Type"))
        if len(raw) > ctx.args.max_body:
            return reply(413, "ContentLengthLimitExceeded", "Maximum allowed content length: %d bytes." % ctx.args.max_body)
        enc = self.headers.get("Content-Encoding")
        if enc == "gzip":
            body = gzip.decompress(raw)
        elif enc is None:
            body = raw
        else:
            return violation("content encoding %r" % enc)
        if ctx.args.expect_gzip and enc != "gzip":
            return violation("expected a gzip body")
        if len(body) > ctx.args.max_body:
            return reply(413, "ContentLengthLimitExceeded", "Maximum allowed content length: %d bytes." % ctx.args.max_body)
        try:
            rows = json.loads(body)
        except ValueError as e:
            return violation("body is not JSON: %s" % e)
        why = check_rows(rows) if not ctx.args.fast else (
            None if isinstance(rows, list) else "not an array")
        if why:
            return violation(why)
        with lock:
            with open(ctx.args.ids, "a") as f:
                for r in rows:
                    f.write(r["EventOriginalUid"] + "\n")
            state["rows_accepted"] += len(rows)
            state["max_body"] = max(state["max_body"], len(body))
            state["max_wire"] = max(state["max_wire"], len(raw))
            state["gzip_requests"] += enc == "gzip"
            if state["rows_accepted"] == len(rows):
                log("first row: " + json.dumps(rows[0]))
        if code == "takedrop":
            with lock:
                save_summary()
            self.close_connection = True
            self.connection.shutdown(2)
            return None
        return reply(204, None, None)


class Server(socketserver.ThreadingMixIn, HTTPServer):
    daemon_threads = True
    allow_reuse_address = True


def load_columns(args):
    table = {}
    for line in open(args.columns):
        if line.startswith("#") or not line.strip():
            continue
        n, t = line.split()
        table[n] = {"bool": "boolean"}.get(t, t)
    dcr = json.load(open(args.dcr_template))
    rule = [r for r in dcr["resources"] if r["type"] == "Microsoft.Insights/dataCollectionRules"][0]
    decl = rule["properties"]["streamDeclarations"][args.stream]["columns"]
    flows = rule["properties"]["dataFlows"]
    if flows[0]["outputStream"] != "Microsoft-ASimDnsActivityLogs" or flows[0]["streams"] != [args.stream]:
        sys.exit("DCR template does not route %s to Microsoft-ASimDnsActivityLogs" % args.stream)
    return table, {c["name"]: c["type"] for c in decl}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--cert", required=True)
    ap.add_argument("--key", required=True)
    ap.add_argument("--client-cert", required=True)
    ap.add_argument("--secret-file", required=True)
    ap.add_argument("--tenant", default="test-tenant")
    ap.add_argument("--client-id", default="11111111-2222-3333-4444-555555555555")
    ap.add_argument("--scope", default="https://monitor.azure.com//.default")
    ap.add_argument("--resource", default="https://monitor.azure.com")
    ap.add_argument("--dcr", default="dcr-00000000000000000000000000000000")
    ap.add_argument("--stream", default="Custom-AsimDnsActivityLogs")
    ap.add_argument("--columns", required=True)
    ap.add_argument("--dcr-template", required=True)
    ap.add_argument("--token-lifetime", type=int, default=3599, help="expires_in told")
    ap.add_argument("--token-valid", type=float, default=3599, help="seconds a token is accepted")
    ap.add_argument("--max-body", type=int, default=LIMIT)
    ap.add_argument("--expect-gzip", action="store_true")
    ap.add_argument("--fast", action="store_true", help="benchmarks: skip the per-column checks")
    ap.add_argument("--script", default="")
    ap.add_argument("--arc-dir", required=True)
    ap.add_argument("--port-file", required=True)
    ap.add_argument("--ids", required=True)
    ap.add_argument("--summary", required=True)
    ap.add_argument("--log", required=True)
    args = ap.parse_args()
    ctx.args = args
    ctx.script = [s for s in args.script.split(",") if s]
    ctx.secret = open(args.secret_file).read().strip()
    ctx.table, ctx.stream = load_columns(args)
    der = ssl.PEM_cert_to_DER_cert(open(args.client_cert).read())
    ctx.x5t = b64url(hashlib.sha1(der).digest())
    ctx.x5t256 = b64url(hashlib.sha256(der).digest())
    ctx.pubkey = args.client_cert + ".pub"
    subprocess.run(["openssl", "x509", "-in", args.client_cert, "-pubkey", "-noout", "-out",
                    ctx.pubkey], check=True)

    tls = Server(("127.0.0.1", 0), Handler)
    sctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    sctx.minimum_version = ssl.TLSVersion.TLSv1_2  # the service requires TLS 1.2 or later
    sctx.load_cert_chain(args.cert, args.key)
    tls.socket = sctx.wrap_socket(tls.socket, server_side=True)
    ctx.port = tls.server_address[1]
    mi = Server(("127.0.0.1", 0), Handler)
    save_summary()
    threading.Thread(target=mi.serve_forever, daemon=True).start()
    with open(args.port_file + ".tmp", "w") as f:
        f.write("%d %d\n" % (ctx.port, mi.server_address[1]))
    os.replace(args.port_file + ".tmp", args.port_file)
    tls.serve_forever()


if __name__ == "__main__":
    main()
