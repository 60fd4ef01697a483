"""A webhook receiver on loopback (a real `http.server` thread) for the tests of both wings."""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


class Receiver:
    """Records every POST (path and JSON body); answers `fail_first` of them with `status`, the rest
    with 200 and `answer` as the JSON body (WeCom-like robots say errcode 0 / non-zero there).
    A slow receiver waits `delay` seconds before answering; `log` says when it got and answered each."""

    def __init__(
        self, *, fail_first: int = 0, status: int = 500, port: int = 0, answer: Any = None, delay: float = 0.0
    ) -> None:
        self.posts: list[dict[str, Any]] = []
        self.paths: list[str] = []
        self.log: list[str] = []
        self.requests = 0
        self.fail_first, self.status, self.answer, self.delay = fail_first, status, answer, delay
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.log.append("receiver got it")
                time.sleep(receiver.delay)
                receiver.requests += 1
                reply = b""
                if receiver.requests <= receiver.fail_first:
                    self.send_response(receiver.status)
                else:
                    receiver.posts.append(json.loads(body.decode("utf-8")))
                    receiver.paths.append(self.path)
                    self.send_response(200)
                    if receiver.answer is not None:
                        reply = json.dumps(receiver.answer).encode("utf-8")
                self.send_header("Content-Length", str(len(reply)))
                self.end_headers()
                self.wfile.write(reply)
                receiver.log.append("receiver answered")

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/hook"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
