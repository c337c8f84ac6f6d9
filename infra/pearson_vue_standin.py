"""A stand-in for Pearson VUE that speaks the HTTP the client expects (the local stack's /_local/pearson-vue).

PUT /api/candidates/{id}, PUT /api/authorizations/{id} (bearer: the shared secret); GET /schedule and
GET /assessments/launch (the signed single sign-on links); POST /outage {"seconds"} to play an outage.
"""

from __future__ import annotations

import hmac
import html
import json
import threading
import time
import urllib.error
import urllib.request
import uuid
from typing import Any
from urllib.parse import parse_qsl, urlencode

from certtracker.core import clock
from infra.gateway import GatewayResponse

PREFIX = "/_local/pearson-vue"


def _json(status: int, value: Any) -> GatewayResponse:
    return GatewayResponse(status, {"Content-Type": ["application/json"]}, json.dumps(value).encode())


def _page(status: int, title: str, text: str, extra: str = "") -> GatewayResponse:
    body = (
        f"<!doctype html><html lang=en><head><meta charset=utf-8><meta name=viewport "
        f"content='width=device-width, initial-scale=1'><title>{html.escape(title)}</title></head>"
        f"<body><h1>Pearson VUE (stand-in)</h1><h2>{html.escape(title)}</h2><p>{html.escape(text)}</p>{extra}"
        "</body></html>"
    )
    return GatewayResponse(status, {"Content-Type": ["text/html; charset=utf-8"]}, body.encode())


def _sit_form(registration_id: str) -> str:
    """On `make run`, sitting the exam is a button: the stand-in posts a signed result to CertTracker's webhook,
    as Pearson VUE does after a candidate sits it (a score on either side of every seeded pass mark)."""
    hidden = f"<input type=hidden name=registration_id value='{html.escape(registration_id, quote=True)}'>"
    return (
        f"<form method=post action='{PREFIX}/sit'>{hidden}"
        "<p>Sit it now: <button name=outcome value=pass>Pass (score 85%)</button> "
        "<button name=outcome value=fail>Fail (score 40%)</button></p></form>"
    )


class PearsonVueStandIn:
    def __init__(self, secret: Any, webhook_url: str | None = None) -> None:
        self._secret = secret  # a callable: the stand-in reads the same secret CertTracker does
        self.webhook_url = webhook_url  # where results are posted (CertTracker's webhook)
        self._lock = threading.Lock()
        self.reset()

    def reset(self) -> None:
        """As it started: no candidates, no authorizations, no outage."""
        with self._lock:
            self.candidates: dict[str, dict[str, Any]] = {}
            self.authorizations: dict[str, dict[str, Any]] = {}
            self.outage_until = 0.0
            self.delay_seconds = 0.0  # answer the API this late (to play a timeout)

    def secret(self) -> str:
        return str(self._secret())

    def handle(
        self, method: str, path: str, query: str, headers: dict[str, str], body: bytes | None
    ) -> GatewayResponse:
        if path == "/outage" and method == "POST":
            request = json.loads(body or b"{}")
            self.outage_until = time.time() + float(request.get("seconds", 60))
            self.delay_seconds = float(request.get("delay_seconds", 0))
            return _json(200, {"outage_until": self.outage_until, "delay_seconds": self.delay_seconds})
        if time.time() < self.outage_until:
            return _json(503, {"message": "Pearson VUE is down for maintenance"})
        if path == "/signed-results" and method == "POST":
            return self._signed_results(json.loads(body or b"{}"))
        if path == "/results" and method == "POST":
            return self._deliver_result(json.loads(body or b"{}"))
        if path == "/sit" and method == "POST":
            return self._sit(dict(parse_qsl((body or b"").decode("utf-8", "replace"))))
        if path.startswith("/api/"):
            time.sleep(self.delay_seconds)
            return self._api(method, path.removeprefix("/api/"), headers, body)
        if method == "GET" and path in ("/schedule", "/assessments/launch"):
            return self._sso(path, query)
        return _json(404, {"message": "not a Pearson VUE route"})

    def _api(self, method: str, path: str, headers: dict[str, str], body: bytes | None) -> GatewayResponse:
        authorization = next((v for k, v in headers.items() if k.lower() == "authorization"), "")
        if not hmac.compare_digest(authorization.encode(), f"Bearer {self.secret()}".encode()):
            return _json(401, {"message": "bad credentials"})
        kind, _, key = path.partition("/")
        if method != "PUT" or kind not in ("candidates", "authorizations") or not key:
            return _json(404, {"message": "not a Pearson VUE API route"})
        with self._lock:
            store = self.candidates if kind == "candidates" else self.authorizations
            store[key] = json.loads(body or b"{}")
        return _json(200, {"id": key})

    def signed_delivery(self, payload: dict[str, Any], *, timestamp: int | None = None) -> tuple[bytes, dict[str, str]]:
        """The body and headers Pearson VUE sends: HMAC-SHA256 over "<timestamp>.<body>"."""
        body = json.dumps(payload).encode()
        stamp = str(int(time.time()) if timestamp is None else timestamp)
        signature = hmac.new(self.secret().encode(), f"{stamp}.".encode() + body, "sha256").hexdigest()
        headers = {
            "Content-Type": "application/json",
            "X-PearsonVUE-Timestamp": stamp,
            "X-PearsonVUE-Signature": f"sha256={signature}",
        }
        return body, headers

    def _signed_results(self, request: dict[str, Any]) -> GatewayResponse:
        """{registration_id, count}: signed deliveries of new results, not sent (for load tests and curl)."""
        deliveries = []
        for _ in range(max(1, min(int(request.get("count", 1)), 20000))):
            payload = {
                "result_id": uuid.uuid4().hex,
                "registration_id": str(request.get("registration_id", "")),
                "score": 80,
                "passed": True,
                "taken_at": clock.now().isoformat(),
                "delivery": "online_unproctored",
            }
            body, headers = self.signed_delivery(payload)
            deliveries.append({"body": body.decode(), "headers": headers})
        return _json(200, {"deliveries": deliveries})

    def _deliver_result(self, request: dict[str, Any]) -> GatewayResponse:
        """{registration_id, score, passed, deliveries?}: post a signed result to CertTracker, as Pearson VUE would."""
        registration_id = str(request.get("registration_id", ""))
        authorized = registration_id in self.authorizations
        payload = {
            "result_id": str(request.get("result_id") or uuid.uuid4().hex),
            "registration_id": registration_id,
            "score": request.get("score", 0),
            "passed": bool(request.get("passed", False)),
            "taken_at": request.get("taken_at") or clock.now().isoformat(),
            "delivery": request.get("delivery") or ("test_center" if authorized else "online_unproctored"),
        }
        answers = []
        for _ in range(max(1, min(int(request.get("deliveries", 1)), 5))):  # more than one: a redelivery
            body, headers = self.signed_delivery(payload)
            call = urllib.request.Request(str(self.webhook_url), data=body, headers=headers, method="POST")  # noqa: S310
            try:
                with urllib.request.urlopen(call, timeout=10) as response:  # noqa: S310 (our own URL)
                    answers.append({"status": response.status, "body": json.loads(response.read())})
            except urllib.error.HTTPError as error:
                answers.append({"status": error.code, "body": json.loads(error.read() or b"{}")})
        return _json(200, {"result": payload, "deliveries": answers})

    def _sso(self, path: str, query: str) -> GatewayResponse:
        fields = dict(parse_qsl(query))
        signature = fields.pop("signature", "")
        expected = hmac.new(self.secret().encode(), urlencode(dict(sorted(fields.items()))).encode(), "sha256")
        if not hmac.compare_digest(signature, expected.hexdigest()):
            return _page(403, "Link not valid", "This link was not signed by CertTracker.")
        if int(fields.get("expires", "0")) < time.time():
            return _page(403, "Link expired", "Scheduling links are valid ten minutes: start again from CertTracker.")
        if path == "/schedule":
            authorization = self.authorizations.get(fields.get("authorization", ""))
            if authorization is None:
                return _page(404, "No authorization", "Pearson VUE has no authorization for this link.")
            return _page(
                200,
                f"Schedule exam {authorization['exam_code']}",
                "Choose a test center or online proctoring, a date and a time. (Stand-in: nothing to choose.)",
                _sit_form(fields.get("authorization", "")),
            )
        registration = fields.get("registration", "")
        return _page(
            200, "Assessment started", f"Registration {registration}: answer the questions.", _sit_form(registration)
        )

    def _sit(self, form: dict[str, str]) -> GatewayResponse:
        passed = form.get("outcome") == "pass"
        request = {"registration_id": form.get("registration_id", ""), "score": 85 if passed else 40, "passed": passed}
        answer = json.loads(self._deliver_result(request).body)
        status = (answer["deliveries"] or [{}])[0].get("body", {}).get("status", "not delivered")
        outcome = "passed with 85%" if passed else "not passed, with 40%"
        back = (
            "<p><a href='/exams/history'>Back to CertTracker: your history</a> · "
            "<a href='/dashboard'>your dashboard</a></p>"
        )
        return _page(200, "Result sent", f"You {outcome}. CertTracker answered: {status}.", back)
