"""A stand-in for PartnerNet that speaks the HTTP the client expects (the local stack's /_local/partnernet).

The API (bearer: the PartnerNetSecret):
  GET /api/partners?cursor=<c>                  {"partners": [...], "next_cursor": str | null}, 100 a page
  GET /api/contacts/changes?since=<n>&limit=<n> {"changes": [...], "has_more": bool}, limit at most 500
Control routes (no authentication: the local stack and the tests only):
  POST /contacts {contact_id, partner_id, email, first_name, last_name, country, is_program_manager, active?}
       adds or changes a contact: a change with the next sequence, the contact's next version and changed_at now
  POST /changes  any JSON object, appended as a raw change with the next sequence (to feed malformed records)
  POST /partners {partner_id, name, tier, domains} adds or changes a partner company
  POST /outage   {seconds, delay_seconds}: the API answers 503 for `seconds`, and `delay_seconds` late until
                 the next /outage (the control routes and the page keep working)
  GET /          a page listing the partners and the contacts
"""

from __future__ import annotations

import hmac
import html
import json
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qs

from infra import seed
from infra.gateway import GatewayResponse

PREFIX = "/_local/partnernet"
PARTNERS_PAGE = 100
MAX_CHANGES = 500
CONTACT_FIELDS = (
    "partner_id",
    "email",
    "first_name",
    "last_name",
    "country",
    "is_program_manager",
    "active",
)
PARTNER_FIELDS = ("name", "tier", "domains")
SEED_PARTNERS = tuple(seed.PARTNERS)  # the partner companies the local stack starts with


def _json(status: int, value: Any) -> GatewayResponse:
    return GatewayResponse(status, {"Content-Type": ["application/json"]}, json.dumps(value).encode())


def _refused(message: str) -> GatewayResponse:
    return _json(400, {"message": message})


def _object(body: bytes | None) -> dict[str, Any] | None:
    """The body as a JSON object, or None if it is not one."""
    try:
        value = json.loads(body or b"")
    except ValueError:
        return None
    return value if isinstance(value, dict) else None


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


class PartnerNetStandIn:
    def __init__(self, secret: Callable[[], str]) -> None:
        self._secret = secret  # the stand-in reads the same secret CertTracker does
        self._lock = threading.Lock()
        self.reset()

    def reset(self) -> None:
        """Back to the seed: its two partners, no contacts, no changes, no outage."""
        with self._lock:
            self.partners: dict[str, dict[str, Any]] = {p["partner_id"]: dict(p) for p in SEED_PARTNERS}
            self.contacts: dict[str, dict[str, Any]] = {}  # the current record of each contact
            self.changes: list[dict[str, Any]] = []  # every change, in sequence order
            self.outage_until = 0.0
            self.delay_seconds = 0.0  # answer the API this late (to play a timeout)

    def secret(self) -> str:
        return str(self._secret())

    def handle(
        self, method: str, path: str, query: str, headers: dict[str, str], body: bytes | None
    ) -> GatewayResponse:
        if path.startswith("/api/"):
            return self._api(method, path.removeprefix("/api"), query, headers)
        route = (method, path)
        if route == ("POST", "/outage"):
            request = _object(body) or {}
            try:
                seconds, delay = float(request.get("seconds", 60)), float(request.get("delay_seconds", 0))
            except (TypeError, ValueError):
                return _refused("seconds and delay_seconds are numbers")
            self.outage_until, self.delay_seconds = time.time() + seconds, delay
            return _json(200, {"outage_until": self.outage_until, "delay_seconds": self.delay_seconds})
        if route == ("POST", "/contacts"):
            return self._put_contact(_object(body))
        if route == ("POST", "/changes"):
            return self._append_raw(_object(body))
        if route == ("POST", "/partners"):
            return self._put_partner(_object(body))
        if method == "GET" and path in ("", "/"):
            return self._page()
        return _json(404, {"message": "not a PartnerNet route"})

    # ------------------------------------------------------------------ the API
    def _api(self, method: str, path: str, query: str, headers: dict[str, str]) -> GatewayResponse:
        if time.time() < self.outage_until:
            return _json(503, {"message": "PartnerNet is down for maintenance"})
        time.sleep(self.delay_seconds)
        authorization = next((v for k, v in headers.items() if k.lower() == "authorization"), "")
        if not hmac.compare_digest(authorization.encode(), f"Bearer {self.secret()}".encode()):
            return _json(401, {"message": "bad credentials"})
        fields = {name: values[-1] for name, values in parse_qs(query).items()}
        if (method, path) == ("GET", "/partners"):
            return self._partners_page(fields.get("cursor", ""))
        if (method, path) == ("GET", "/contacts/changes"):
            try:
                since = int(fields.get("since", "0"))
                limit = min(int(fields.get("limit", str(MAX_CHANGES))), MAX_CHANGES)
            except ValueError:
                return _refused("since and limit are whole numbers")
            if since < 0 or limit < 1:
                return _refused("since is at least 0 and limit at least 1")
            return self._changes_page(since, limit)
        return _json(404, {"message": "not a PartnerNet API route"})

    def _partners_page(self, cursor: str) -> GatewayResponse:
        # The cursor is the last partner id of the page before: a partner added meanwhile is not skipped.
        with self._lock:
            following = [self.partners[key] for key in sorted(self.partners) if key > cursor]
        page = following[:PARTNERS_PAGE]
        more = len(following) > PARTNERS_PAGE
        return _json(200, {"partners": page, "next_cursor": page[-1]["partner_id"] if more else None})

    def _changes_page(self, since: int, limit: int) -> GatewayResponse:
        with self._lock:
            following = [change for change in self.changes if change["sequence"] > since]
        return _json(200, {"changes": following[:limit], "has_more": len(following) > limit})

    # ------------------------------------------------------------------ control routes
    def _put_contact(self, request: dict[str, Any] | None) -> GatewayResponse:
        if request is None:
            return _refused("the body is a JSON object")
        contact_id = request.get("contact_id")
        if not isinstance(contact_id, str) or not contact_id:
            return _refused("contact_id is a non-empty string")
        with self._lock:
            # A change names what changes: what it leaves out stays as it was (a new contact is active).
            before = self.contacts.get(contact_id, {"active": True, "version": 0})
            record = {name: request.get(name, before.get(name)) for name in CONTACT_FIELDS}
            change = {
                "sequence": len(self.changes) + 1,
                "contact_id": contact_id,
                **record,
                "version": before["version"] + 1,
                "changed_at": _now(),
            }
            self.contacts[contact_id] = change
            self.changes.append(change)
        answer = {name: change[name] for name in ("contact_id", "version", "sequence", "changed_at")}
        return _json(200, answer)

    def _append_raw(self, request: dict[str, Any] | None) -> GatewayResponse:
        if request is None:
            return _refused("the body is a JSON object")
        with self._lock:
            change = {**request, "sequence": len(self.changes) + 1}
            self.changes.append(change)
        return _json(200, {"sequence": change["sequence"]})

    def _put_partner(self, request: dict[str, Any] | None) -> GatewayResponse:
        if request is None:
            return _refused("the body is a JSON object")
        partner_id = request.get("partner_id")
        if not isinstance(partner_id, str) or not partner_id:
            return _refused("partner_id is a non-empty string")
        with self._lock:
            partner = {**self.partners.get(partner_id, {}), **{k: request[k] for k in PARTNER_FIELDS if k in request}}
            missing = [name for name in PARTNER_FIELDS if name not in partner]
            if missing:
                return _refused(f"a new partner needs {', '.join(missing)}")
            text = [partner["name"], partner["tier"]]
            domains = partner["domains"]
            if not all(isinstance(value, str) and value for value in text) or not (
                isinstance(domains, list) and all(isinstance(domain, str) and domain for domain in domains)
            ):
                return _refused("name and tier are non-empty strings, domains a list of them")
            self.partners[partner_id] = {"partner_id": partner_id, **partner}
        return _json(200, self.partners[partner_id])

    # ------------------------------------------------------------------ the page
    def _page(self) -> GatewayResponse:
        with self._lock:
            partners = [self.partners[key] for key in sorted(self.partners)]
            contacts = [self.contacts[key] for key in sorted(self.contacts)]
            last = len(self.changes)

        def row(cells: list[Any]) -> str:
            shown = ("" if cell is None else html.escape(str(cell)) for cell in cells)
            return "<tr>" + "".join(f"<td>{text}</td>" for text in shown) + "</tr>"

        def table(head: list[str], rows: list[str]) -> str:
            heading = "".join(f"<th>{html.escape(name)}</th>" for name in head)
            return f"<table><thead><tr>{heading}</tr></thead><tbody>{''.join(rows)}</tbody></table>"

        partner_rows = [row([p["partner_id"], p["name"], p["tier"], ", ".join(p["domains"])]) for p in partners]
        contact_head = ["contact_id", *CONTACT_FIELDS, "version", "changed_at"]
        contact_rows = [row([c.get(name) for name in contact_head]) for c in contacts]
        body = (
            "<!doctype html><html lang=en><head><meta charset=utf-8><meta name=viewport "
            "content='width=device-width, initial-scale=1'><title>PartnerNet (stand-in)</title></head>"
            "<body><h1>PartnerNet (stand-in)</h1>"
            f"<h2>Partner companies ({len(partners)})</h2>"
            f"{table(['partner_id', 'name', 'tier', 'domains'], partner_rows)}"
            f"<h2>Contacts ({len(contacts)})</h2>"
            f"{table(contact_head, contact_rows) if contacts else '<p>No contacts yet.</p>'}"
            f"<p>Changes so far: {last}. Add a contact with POST {PREFIX}/contacts.</p>"
            "</body></html>"
        )
        return GatewayResponse(200, {"Content-Type": ["text/html; charset=utf-8"]}, body.encode())
