"""`complaints listen`: a webhook receiver for development, like `stripe listen`. It verifies each
delivery's signature with the standardwebhooks library, answers 204, and prints the payload as a
line of JSON with its `webhookId`; a delivery that does not verify gets 400 and is reported on
stderr. It is also the few lines a shop's own receiver needs (docs/webhooks.md)."""

from __future__ import annotations

import json
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from standardwebhooks.webhooks import Webhook, WebhookVerificationError

BODY_MAX = 1_048_576


def listen(host: str, port: int, secret: str, count: int | None) -> int:
    """Serve until `count` deliveries verified (None: until interrupted)."""
    verifier = Webhook(secret)
    verified = 0
    done = threading.Event()
    lock = threading.Lock()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            nonlocal verified
            length = int(self.headers.get("content-length") or 0)
            body = self.rfile.read(min(length, BODY_MAX))
            try:
                payload = verifier.verify(body, dict(self.headers.items()))
            except (WebhookVerificationError, ValueError) as refusal:
                print(f"refused a delivery: {refusal}", file=sys.stderr, flush=True)
                self.send_response(400)
                self.send_header("content-length", "0")
                self.end_headers()
                return
            self.send_response(204)
            self.end_headers()
            with lock:
                if done.is_set():
                    return
                line = {"webhookId": self.headers["webhook-id"], **payload}
                sys.stdout.write(json.dumps(line, ensure_ascii=False) + "\n")
                sys.stdout.flush()
                verified += 1
                if count is not None and verified >= count:
                    done.set()

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer((host, port), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    print(f"listening on http://{host}:{server.server_port}/", file=sys.stderr, flush=True)
    try:
        done.wait()
    except KeyboardInterrupt:
        pass
    finally:
        server.shutdown()
        server.server_close()
    return 0
