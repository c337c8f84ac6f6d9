"""The local stack's HTTP side: chalice.local's dev server, with /api, the web pages and /_local."""

from __future__ import annotations

import html
import json
import mimetypes
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any

from chalice.local import ChaliceRequestHandler, LocalDevServer

from certtracker.core import clock
from infra import emulator_state, mailbox, signals, swagger_ui, template
from infra.gateway import Gateway, GatewayResponse
from infra.partnernet_standin import PREFIX as PARTNERNET_PREFIX
from infra.partnernet_standin import PartnerNetStandIn
from infra.pearson_vue_standin import PREFIX as PEARSON_VUE_PREFIX
from infra.pearson_vue_standin import PearsonVueStandIn
from infra.queues import QueueFeeder
from infra.scheduler import Scheduler

WEB_ROOT = template.ROOT / "web"
API_PREFIX = "/api"

PAGE_HEADERS = template.page_headers()
# Paths the edge serves from another file of the web bucket (WebPageRouting): /api/docs is Swagger UI's page.
PAGE_ALIASES = template.page_aliases()


class LocalRequestHandler(ChaliceRequestHandler):
    """Routes /api/* through the template's gateway; serves /_local tools and web/ pages."""

    gateway: Gateway
    # chalice writes headers and body separately; with Nagle on, every keep-alive response would
    # wait ~40 ms for the client's delayed ACK (measured by bench/).
    disable_nagle_algorithm = True

    def __init__(self, request: Any, client_address: Any, server: Any, app_object: Gateway, config: Any) -> None:
        self.gateway = app_object  # one gateway (one warm container per function) for every request
        self.server_scheduler: Scheduler = config
        self.pearson_vue: PearsonVueStandIn = server.pearson_vue
        self.partnernet: PartnerNetStandIn = server.partnernet
        BaseHTTPRequestHandler.__init__(self, request, client_address, server)

    def log_message(self, format: str, *args: Any) -> None:
        pass  # the functions log; a line per request would drown them

    def _generic_handle(self) -> None:
        headers, body = self._parse_payload()
        path = self.path.split("?", 1)[0]
        if path in PAGE_ALIASES:
            response = self._static(PAGE_ALIASES[path])
        elif path == API_PREFIX or path.startswith(API_PREFIX + "/"):
            target = self.path[len(API_PREFIX) :] or "/"
            response = self.gateway.handle(self.command, target, headers, body, source_ip=self.client_address[0])
            signals.answered(response.status)
        elif path.startswith("/_local/"):
            response = self._local(path, headers, body)
        else:
            response = self._static(path)
        self._send(response)

    # chalice binds its own method to the usual verbs; bind ours to those and to any other verb
    # (TRACE, QUERY, ...), which API Gateway answers with a gateway response rather than a 501.
    do_GET = do_PUT = do_POST = do_HEAD = do_DELETE = do_PATCH = do_OPTIONS = _generic_handle  # noqa: N815

    def __getattr__(self, name: str) -> Any:
        if name.startswith("do_"):
            return self._generic_handle
        raise AttributeError(name)

    def _send(self, response: GatewayResponse) -> None:
        headers: dict[str, Any] = {name: values for name, values in response.headers.items()}
        content_type = response.header("Content-Type") or "application/json"
        headers = {k: v for k, v in headers.items() if k.lower() != "content-type"}
        headers["Content-Type"] = content_type
        if self.command == "HEAD" or response.status in (204, 304):
            self._send_http_response_no_body(response.status, headers)
        else:
            self._send_http_response_with_body(response.status, headers, response.body)

    # ------------------------------------------------------------------ /_local
    def _clock(self, body: bytes | None) -> GatewayResponse:
        """GET: the stack's time; POST {"advance_days": n}: move it forward (every function and stand-in runs in this
        process and reads certtracker.core.clock), to see renewals, lapses and expiries without waiting years.
        Sessions end as they would: sign in again after a move."""
        if self.command == "POST":
            try:
                days = json.loads(body or b"{}").get("advance_days")
            except (ValueError, AttributeError):
                days = None
            if isinstance(days, bool) or not isinstance(days, int | float) or not 0 < days <= 3660:
                message = 'Send {"advance_days": n}, a number of days from 0 to 3660 (ten years).'
                return _json(422, {"error": {"code": "invalid_days", "message": message}})
            clock.advance(days * 86_400)
        return _json(200, {"now": clock.now().isoformat()})

    def _local(self, path: str, headers: dict[str, str], body: bytes | None) -> GatewayResponse:
        if path == "/_local/health":
            return _json(200, {"status": "ok"})
        if path == "/_local/mail":
            messages = mailbox.sent_messages()
            if "application/json" in headers.get("Accept", headers.get("accept", "")):
                return _json(200, messages)
            return _html(200, _mail_page(messages))
        if path == "/_local/clock":
            return self._clock(body)
        if path == "/_local/signals":
            return _json(200, signals.snapshot())
        if path == "/_local/reset" and self.command == "POST":
            self.server.reset()  # type: ignore[attr-defined]
            return _json(200, {"now": clock.now().isoformat()})
        if path.startswith("/_local/run/") and self.command == "POST":
            function = path.removeprefix("/_local/run/")
            try:
                event = json.loads(body) if body else None
            except ValueError:
                return _json(400, {"error": {"code": "invalid_json", "message": "The body is not valid JSON."}})
            try:
                result = self.server_scheduler.run_now(function, event)
            except KeyError:
                message = f"{function} is neither a scheduled nor a directly invoked function of template.yaml."
                return _json(404, {"error": {"code": "not_found", "message": message}})
            return _json(200, {"function": function, "result": result})
        if path.startswith(PEARSON_VUE_PREFIX + "/") or path == PEARSON_VUE_PREFIX:
            query = self.path.partition("?")[2]
            return self.pearson_vue.handle(self.command, path.removeprefix(PEARSON_VUE_PREFIX), query, headers, body)
        if path.startswith(PARTNERNET_PREFIX + "/") or path == PARTNERNET_PREFIX:
            query = self.path.partition("?")[2]
            return self.partnernet.handle(self.command, path.removeprefix(PARTNERNET_PREFIX), query, headers, body)
        return _json(404, {"error": {"code": "not_found", "message": "There is no such local tool."}})

    # ------------------------------------------------------------------ web/
    def _static(self, path: str) -> GatewayResponse:
        relative = path.lstrip("/") or "index.html"
        candidate = (WEB_ROOT / relative).resolve()
        vendored = swagger_ui.served_file(relative)
        if vendored is not None:
            candidate = vendored
        elif not candidate.is_relative_to(WEB_ROOT.resolve()) or not candidate.is_file():
            # The web pages are a single-page app: unknown paths get the page, which routes itself.
            candidate = WEB_ROOT / "index.html"
        response = _file(candidate)
        for name, value in PAGE_HEADERS.items():
            response.headers[name] = [value]
        return response


def _json(status: int, value: Any) -> GatewayResponse:
    return GatewayResponse(status, {"Content-Type": ["application/json"]}, json.dumps(value).encode())


def _html(status: int, page: str) -> GatewayResponse:
    headers = {"Content-Type": ["text/html; charset=utf-8"], **{k: [v] for k, v in PAGE_HEADERS.items()}}
    return GatewayResponse(status, headers, page.encode())


def _file(path: Path) -> GatewayResponse:
    content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    if content_type.startswith("text/") or content_type.endswith("javascript"):
        content_type += "; charset=utf-8"
    return GatewayResponse(200, {"Content-Type": [content_type]}, path.read_bytes())


def _unsubscribe_headers(headers: dict[str, str]) -> str:
    shown = [f"{name}: {headers[name]}" for name in ("List-Unsubscribe", "List-Unsubscribe-Post") if name in headers]
    return f"<pre class=headers>{html.escape(chr(10).join(shown))}</pre>" if shown else ""


def _mail_page(messages: list[dict[str, Any]]) -> str:
    items = []
    for message in messages:
        items.append(
            "<article><h2>{subject}</h2><p class=meta>to {to} &middot; {sent_at}</p>{unsubscribe}"
            "<pre>{text}</pre><details><summary>HTML version</summary>"
            '<iframe sandbox="" srcdoc="{page}" title="HTML version"></iframe></details></article>'.format(
                subject=html.escape(message["subject"]),
                to=html.escape(", ".join(message["to"])),
                sent_at=html.escape(message["sent_at"] or ""),
                unsubscribe=_unsubscribe_headers(message["headers"]),
                text=html.escape(message["text"]),
                page=html.escape(message["html"], quote=True),
            )
        )
    body = "\n".join(items) or "<p>No email has been sent yet.</p>"
    return f"""<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Local mail</title>
<link rel="stylesheet" href="/local-tools.css"></head><body>
<h1>Emails sent ({len(messages)}), newest first</h1>{body}</body></html>"""


def _emulator_secret(logical_id: str) -> Callable[[], str]:
    """A stand-in's reader of the secret it shares with CertTracker, from the emulator (read on each call,
    so a value put there later is picked up)."""

    def read() -> str:
        import boto3

        return str(boto3.client("secretsmanager").get_secret_value(SecretId=logical_id)["SecretString"])

    return read


class LocalServer:
    """chalice.local's threaded dev server; `config` (unused by our handler class) carries the scheduler.

    `seeded` is the emulator as the stack started (infra/emulator_state.py): POST /_local/reset puts it back, with
    everything else the stack holds, so the test rings start one stack and give each test module a fresh one."""

    def __init__(self, host: str, port: int, seeded: emulator_state.Saved | None = None) -> None:
        self.seeded = seeded
        self.gateway = Gateway()
        self.scheduler = Scheduler(self.gateway.functions)
        self.queues = QueueFeeder(self.gateway.functions)
        self.server = LocalDevServer(
            self.gateway,  # type: ignore[arg-type]
            self.scheduler,  # type: ignore[arg-type]
            host,
            port,
            handler_cls=LocalRequestHandler,  # type: ignore[arg-type]
        )

        # The stand-ins read the secrets they share with CertTracker from the emulator, as CertTracker does.
        webhook = f"http://{host}:{port}{API_PREFIX}/integrations/pearson-vue/results"
        self.pearson_vue = PearsonVueStandIn(_emulator_secret("PearsonVueSecret"), webhook)
        self.partnernet = PartnerNetStandIn(_emulator_secret("PartnerNetSecret"))
        self.server.server.pearson_vue = self.pearson_vue  # type: ignore[attr-defined]
        self.server.server.partnernet = self.partnernet  # type: ignore[attr-defined]
        self.server.server.reset = self.reset  # type: ignore[attr-defined]

    def reset(self) -> None:
        """The stack as it started: the emulator's seeded state, the clock, the stand-ins, the tallies, the schedules,
        and nothing the functions' containers cached. The background deliveries and runs wait meanwhile; nothing
        else may call the stack until it answers."""
        if self.seeded is None:
            raise RuntimeError("this stack kept no seeded state to go back to")
        from certtracker.core.aws import reset_clients
        from certtracker.credentials import catalog as credential_catalog
        from certtracker.exams import catalog

        with self.scheduler.paused(), self.queues.paused():
            emulator_state.restore(self.seeded)
            clock.reset()
            signals.reset()
            # Reset, not replaced: a kept-alive connection's handler holds the ones it started with.
            self.pearson_vue.reset()
            self.partnernet.reset()
            reset_clients()
            catalog.forget_cache()
            credential_catalog.forget_cache()

    def serve_forever(self) -> None:
        self.scheduler.start()
        self.queues.start()
        self.server.server.serve_forever()

    def shutdown(self) -> None:
        self.scheduler.stop()
        self.queues.stop()
        self.server.shutdown()
