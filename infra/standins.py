"""What the stand-ins for partner systems (Pearson VUE, PartnerNet) share: serving one on a port of its own."""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Protocol

from infra.gateway import GatewayResponse


class StandIn(Protocol):
    def handle(
        self, method: str, path: str, query: str, headers: dict[str, str], body: bytes | None
    ) -> GatewayResponse: ...


def serve_in_thread(standin: StandIn, prefix: str) -> tuple[ThreadingHTTPServer, str]:
    """The stand-in on its own port under `prefix`, as the local stack mounts it (for the handler tests);
    returns the server and its base URL."""

    class Handler(BaseHTTPRequestHandler):
        def _any(self) -> None:
            path, _, query = self.path.partition("?")
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else None
            answer = standin.handle(self.command, path.removeprefix(prefix), query, dict(self.headers), body)
            self.send_response(answer.status)
            for name, values in answer.headers.items():
                for value in values:
                    self.send_header(name, value)
            self.send_header("Content-Length", str(len(answer.body)))
            self.end_headers()
            self.wfile.write(answer.body)

        do_GET = do_PUT = do_POST = _any  # noqa: N815

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}{prefix}"
