#!/usr/bin/env python3
"""A loopback HTTP server for etvision's tests (python3 standard library only).

Usage: http_test_server.py [--exit-on-stdin-eof] [--tls CERT_PEM KEY_PEM] ROOT_DIR

With --exit-on-stdin-eof the server exits as soon as its stdin reaches end of
file: a parent that holds the other end of a pipe then never leaves an
orphaned server behind, even when it crashes.

With --tls the server speaks HTTPS with that certificate and private key
(PEM files), so that clients' certificate checks can be tested.

Listens on 127.0.0.1 on a free port and prints that port, alone, on the first
line of stdout. Serves the files under ROOT_DIR with HEAD, Range (206, 416),
If-Range, ETag (a content hash) and Last-Modified.

Fault injection through the query string (options combine):
  status=CODE          answer CODE with a short text body
  redirect=URL         answer 302 to URL
  redirect_self=1      answer 302 to this very path and query (a redirect
                       loop)
  truncate=N           announce the full Content-Length, send N bytes, close
  reset=N              send N bytes, then abort the connection (TCP RST)
  stall=SECONDS        send the headers, then wait SECONDS before the body
  slow=BYTES_PER_SEC   send the body at about this rate
  no_length=1          no Content-Length: the body ends when the connection
                       closes
  no_range=1           ignore Range (always 200) and send no Accept-Ranges
  no_head=1            answer HEAD with 405
  no_validator=1       send neither ETag nor Last-Modified
  content_type=TYPE    Content-Type to send (default application/octet-stream)
  times=K              apply the faults above (status, redirect,
                       redirect_self, truncate, reset, stall, slow) only to
                       the first K GETs of this exact path and query; later
                       ones are served normally (HEADs always see them)

GET /__requests returns, as JSON, the list of requests seen so far (itself
excluded): [{"method", "path", "query", "target" (path and query as
sent), "range", "if_range"}, ...].
"""

import email.utils
import hashlib
import json
import os
import socket
import ssl
import struct
import sys
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class RequestLog:
    def __init__(self):
        self._lock = threading.Lock()
        self._entries = []

    def add(self, entry):
        with self._lock:
            self._entries.append(entry)

    def snapshot(self):
        with self._lock:
            return list(self._entries)

    def count(self, method, target):
        with self._lock:
            return sum(1 for entry in self._entries
                       if entry["method"] == method and entry["target"] == target)


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "etvision-test-server"

    def log_message(self, format, *args):  # noqa: A002 - keep stderr quiet
        pass

    def do_HEAD(self):
        self._serve(head=True)

    def do_GET(self):
        self._serve(head=False)

    # -- helpers -------------------------------------------------------------

    def _send_simple(self, status, body=b"", extra_headers=(), head=False):
        self.send_response(status)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(body)))
        for name, value in extra_headers:
            self.send_header(name, value)
        self.end_headers()
        if not head:
            self.wfile.write(body)

    def _resolve(self, path):
        root = self.server.root
        candidate = os.path.realpath(
            os.path.join(root, urllib.parse.unquote(path).lstrip("/")))
        if candidate != root and not candidate.startswith(root + os.sep):
            return None
        return candidate if os.path.isfile(candidate) else None

    def _send_body(self, body, options):
        rate = int(options.get("slow", "0") or 0)
        chunk = 64 * 1024
        delay = 0.0
        if rate > 0:
            chunk = max(1, rate // 20)
            delay = chunk / rate
        for start in range(0, len(body), chunk):
            self.wfile.write(body[start:start + chunk])
            if delay:
                self.wfile.flush()
                time.sleep(delay)

    def _abort_connection(self):
        # SO_LINGER with a zero timeout makes close() send RST instead of FIN.
        time.sleep(0.05)  # let the bytes already sent reach the client
        self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                                   struct.pack("ii", 1, 0))
        self.connection.close()
        self.close_connection = True

    # -- the handler ---------------------------------------------------------

    def _serve(self, head):
        url = urllib.parse.urlsplit(self.path)
        options = {key: values[-1] for key, values in
                   urllib.parse.parse_qs(url.query, keep_blank_values=True).items()}

        if url.path == "/__requests" and not head:
            body = json.dumps(self.server.log.snapshot()).encode()
            self._send_simple(200, body, [("Content-Type", "application/json")])
            return

        self.server.log.add({
            "method": self.command,
            "path": url.path,
            "query": url.query,
            "range": self.headers.get("Range", ""),
            "if_range": self.headers.get("If-Range", ""),
            "target": self.path,
        })
        if "times" in options and not head:
            if self.server.log.count("GET", self.path) > int(options["times"]):
                for fault in ("status", "redirect", "redirect_self", "truncate", "reset",
                              "stall", "slow"):
                    options.pop(fault, None)

        if head and options.get("no_head"):
            self._send_simple(405, extra_headers=[("Allow", "GET")], head=True)
            return
        if "status" in options:
            status = int(options["status"])
            self._send_simple(status, ("status %d\n" % status).encode(), head=head)
            return
        if "redirect" in options:
            self._send_simple(302, extra_headers=[("Location", options["redirect"])],
                              head=head)
            return
        if options.get("redirect_self"):
            self._send_simple(302, extra_headers=[("Location", self.path)], head=head)
            return

        path = self._resolve(url.path)
        if path is None:
            self._send_simple(404, b"not found\n", head=head)
            return
        with open(path, "rb") as file:
            data = file.read()
        etag = '"%s"' % hashlib.sha256(data).hexdigest()[:20]
        last_modified = email.utils.formatdate(os.path.getmtime(path), usegmt=True)
        validators = not options.get("no_validator")

        status = 200
        body = data
        content_range = None
        range_header = self.headers.get("Range")
        if range_header and not options.get("no_range"):
            if_range = self.headers.get("If-Range")
            unchanged = if_range is None or (validators and if_range in (etag, last_modified))
            if unchanged and range_header.startswith("bytes="):
                first, _, last = range_header[len("bytes="):].partition("-")
                try:
                    start = int(first)
                    end = int(last) if last else len(data) - 1
                except ValueError:
                    start, end = None, None
                if start is not None:
                    if start >= len(data):
                        self._send_simple(
                            416, extra_headers=[("Content-Range", "bytes */%d" % len(data))],
                            head=head)
                        return
                    end = min(end, len(data) - 1)
                    status = 206
                    body = data[start:end + 1]
                    content_range = "bytes %d-%d/%d" % (start, end, len(data))

        self.send_response(status)
        self.send_header("Content-Type", options.get("content_type", "application/octet-stream"))
        if validators:
            self.send_header("ETag", etag)
            self.send_header("Last-Modified", last_modified)
        if not options.get("no_range"):
            self.send_header("Accept-Ranges", "bytes")
        if content_range:
            self.send_header("Content-Range", content_range)
        if options.get("no_length"):
            self.send_header("Connection", "close")
            self.close_connection = True
        else:
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if head:
            return
        self.wfile.flush()

        if "stall" in options:
            time.sleep(float(options["stall"]))
        if "truncate" in options:
            self._send_body(body[:int(options["truncate"])], options)
            self.close_connection = True
            return
        if "reset" in options:
            self._send_body(body[:int(options["reset"])], options)
            self.wfile.flush()
            self._abort_connection()
            return
        self._send_body(body, options)


class Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, root, tls_context=None):
        super().__init__(("127.0.0.1", 0), Handler)
        self.root = os.path.realpath(root)
        self.log = RequestLog()
        if tls_context is not None:
            # The handshake waits for finish_request, which runs on the
            # request's own thread: a client that rejects the certificate
            # (what the TLS tests provoke) then never blocks the accept loop.
            self.socket = tls_context.wrap_socket(self.socket, server_side=True,
                                                  do_handshake_on_connect=False)
        self.tls = tls_context is not None

    def finish_request(self, request, client_address):
        if self.tls:
            request.do_handshake()
        super().finish_request(request, client_address)

    def handle_error(self, request, client_address):
        # Clients that give up early (timeouts, cancels) are part of the
        # tests; their broken pipes are not worth a traceback.
        pass


def exit_when_stdin_closes():
    sys.stdin.buffer.read()
    os._exit(0)


def main():
    args = sys.argv[1:]
    watch_stdin = "--exit-on-stdin-eof" in args
    args = [arg for arg in args if arg != "--exit-on-stdin-eof"]
    tls_context = None
    if "--tls" in args:
        at = args.index("--tls")
        if at + 2 >= len(args):
            args = []  # a usage error below
        else:
            tls_context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            tls_context.load_cert_chain(args[at + 1], args[at + 2])
            del args[at:at + 3]
    if len(args) != 1:
        sys.stderr.write("usage: http_test_server.py [--exit-on-stdin-eof] "
                         "[--tls CERT_PEM KEY_PEM] ROOT_DIR\n")
        return 2
    if watch_stdin:
        threading.Thread(target=exit_when_stdin_closes, daemon=True).start()
    server = Server(args[0], tls_context)
    sys.stdout.write("%d\n" % server.server_address[1])
    sys.stdout.flush()
    server.serve_forever(poll_interval=0.1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
