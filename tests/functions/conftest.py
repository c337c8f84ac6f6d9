"""Handler ring: each function in-process behind the template's gateway, against moto."""

from __future__ import annotations

import json
import re
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import boto3
import pytest
from moto import mock_aws
from moto.core.botocore_stubber import BotocoreStubber
from moto.dynamodb.responses import DynamoHandler

from certtracker.accounts import passwords
from certtracker.core import clock
from certtracker.core.aws import reset_clients
from certtracker.credentials import catalog as credential_catalog
from certtracker.exams import catalog
from infra import browser, emulator_state, iam, lambdas, mailbox, resources, seed, template
from infra.gateway import Gateway, GatewayResponse
from infra.lambdas import load_functions
from infra.partnernet_standin import PREFIX as PARTNERNET_PREFIX
from infra.partnernet_standin import PartnerNetStandIn
from infra.pearson_vue_standin import PREFIX as PEARSON_VUE_PREFIX
from infra.pearson_vue_standin import PearsonVueStandIn
from infra.queues import QueueFeeder
from infra.standins import serve_in_thread

# Pearson VUE and PartnerNet are reached over HTTP by the real clients: their stand-ins run for the whole session,
# and the functions (loaded later, by the gateway) get their addresses from the template parameters, as deployed.
PEARSON_VUE = PearsonVueStandIn(
    lambda: boto3.client("secretsmanager").get_secret_value(SecretId="PearsonVueSecret")["SecretString"]
)
_pearson_vue_server, _pearson_vue_url = serve_in_thread(PEARSON_VUE, PEARSON_VUE_PREFIX)
PARTNERNET = PartnerNetStandIn(
    lambda: boto3.client("secretsmanager").get_secret_value(SecretId="PartnerNetSecret")["SecretString"]
)
_partnernet_server, PARTNERNET_URL = serve_in_thread(PARTNERNET, PARTNERNET_PREFIX)
lambdas.prepare_process(
    template.parameter_values({"PearsonVueBaseUrl": _pearson_vue_url, "PartnerNetBaseUrl": PARTNERNET_URL})
)

PASSWORD = "Orchid-Lantern-Violet-42"
WRONG_PASSWORD = "Not-The-Password-123"
NEW_PASSWORD = "Harbor-Quietly-Sings-58"
NEWS_BUT_NO_EXAM_RESULTS = {
    "notifications": {"exam_results": False, "expiry_reminders": True, "share_views": True, "support_replies": True},
    "marketing_opt_in": True,
}


def error(response: GatewayResponse, status: int) -> dict[str, str]:
    """The error detail of a response, after checking its status and the contract's error shape."""
    assert response.status == status, response.body
    body = response.json()
    assert set(body) == {"error"}, body
    assert {"code", "message"} <= set(body["error"]), body
    return body["error"]


@pytest.fixture(scope="session")
def gateway() -> Gateway:
    return Gateway()  # functions load once per session, like one warm container each


@pytest.fixture(autouse=True)
def no_missing_grant() -> Iterator[None]:
    """A call without a grant raises MissingGrant where it is made; this also fails a test whose code swallowed it."""
    iam.RECORDER.take_violations()
    yield
    missed = iam.RECORDER.take_violations()
    assert not missed, "AWS calls outside the functions' grants:\n" + "\n".join(missed)


_seeded: list[emulator_state.Saved] = []  # this worker's emulator, made and seeded once


class _EmulatorCalls:
    """How many calls the emulator has answered in this process: a fixture can tell that nothing reached it since."""

    count = 0
    _answer = BotocoreStubber.__call__

    @classmethod
    def start_counting(cls) -> None:
        def counted(stubber: BotocoreStubber, *args: Any, **kwargs: Any) -> Any:
            cls.count += 1
            return cls._answer(stubber, *args, **kwargs)

        BotocoreStubber.__call__ = counted  # type: ignore[method-assign]


_EmulatorCalls.start_counting()
_as_seeded_at: list[int] = [0]  # the call count when the emulator was last put back as seeded


@pytest.fixture
def aws() -> Iterator[None]:
    """A fresh emulator holding what the template declares and the seed: made once per worker, then put back as it
    was after seeding (infra/emulator_state.py) for each test."""
    with mock_aws():
        reset_clients()
        if _seeded:
            emulator_state.restore(_seeded[0])
        else:
            resources.create_all()
            seed.partner_companies()
            seed.exam_catalog()
            seed.credential_items()
            _seeded.append(emulator_state.save())
        _forget_caches()
        _as_seeded_at[0] = _EmulatorCalls.count
        yield
        dead = _links_to_no_page(mailbox.sent_messages())
    reset_clients()
    clock.reset()
    assert not dead, "emails sent in this test link to pages web/app.js does not have:\n" + "\n".join(dead)


_WEB_BASE = template.LOCAL_PARAMETERS["WebBaseUrl"]
_LINK = re.compile(r"https?://[^\s\"'<>]+")


def _links_to_no_page(messages: list[dict[str, Any]]) -> list[str]:
    """Every link to the web pages in `messages` (text and HTML) whose path the pages' router has no page for."""
    dead = []
    for message in messages:
        for link in sorted(set(_LINK.findall(message["text"] + " " + message["html"]))):
            if not link.startswith(_WEB_BASE + "/"):
                continue
            path = re.split(r"[?#]", link.removeprefix(_WEB_BASE), maxsplit=1)[0].rstrip(".,;:)")
            if not path.startswith("/api/") and not browser.opens_a_page(path):
                dead.append(f"{message['subject']!r} to {message['to']}: {link}")
    return dead


def _forget_caches() -> None:
    """What the functions keep between invocations, forgotten: the emulator under them was just put back."""
    catalog.forget_cache()
    credential_catalog.forget_cache()
    PEARSON_VUE.reset()
    PARTNERNET.reset()  # its seed: two partners, no contacts


class Mailbox:
    def all(self) -> list[dict[str, Any]]:
        return mailbox.sent_messages()

    def to(self, address: str) -> list[dict[str, Any]]:
        return [message for message in self.all() if address in message["to"]]

    def latest_link(self, address: str, path: str) -> str:
        """The token of the newest link to `path` sent to `address`."""
        for message in self.to(address):
            found = re.search(re.escape(path) + r"#token=([A-Za-z0-9_-]+)", message["text"])
            if found:
                return found.group(1)
        raise AssertionError(f"no {path} link was sent to {address}")


class Api:
    """A client of the API as a browser or script would use it, through the in-process gateway."""

    def __init__(self, gateway: Gateway, source_ip: str = "203.0.113.7") -> None:
        self.gateway = gateway
        self.source_ip = source_ip
        self.queues = QueueFeeder(gateway.functions)

    def call(
        self,
        method: str,
        path: str,
        body: Any = None,
        *,
        token: str | None = None,
        headers: dict[str, str] | None = None,
        raw: bytes | None = None,
    ) -> GatewayResponse:
        sent = dict(headers or {})
        if token:
            sent["Authorization"] = f"Bearer {token}"
        payload = raw if raw is not None else (json.dumps(body).encode() if body is not None else None)
        if payload is not None:
            sent.setdefault("Content-Type", "application/json")
        response = self.gateway.handle(method, path, sent, payload, source_ip=self.source_ip)
        # What the request queued is delivered before the test looks (Lambda's SQS trigger takes about a second).
        self.queues.deliver_pending()
        return response

    def register(self, username: str, email: str, password: str = PASSWORD, **extra: Any) -> GatewayResponse:
        body = {
            "username": username,
            "email": email,
            "password": password,
            "first_name": "Ada",
            "last_name": "Lovelace",
            "country": "GB",
            "accept_privacy_notice": True,
            **extra,
        }
        return self.call("POST", "/auth/register", body)

    def login(self, username: str, password: str = PASSWORD) -> GatewayResponse:
        return self.call("POST", "/auth/login", {"username": username, "password": password})

    def burst(
        self,
        count: int,
        method: str,
        path: str,
        body: Any = None,
        *,
        token: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> list[GatewayResponse]:
        """`count` identical requests at the same moment, each in a container of its own, as Lambda scales out.

        Identical, because Powertools keeps the event being resolved on a class attribute that every resolver
        in a process shares; in Lambda each container is a process of its own, here they are threads.
        """
        sent = dict(headers or {})
        if token:
            sent["Authorization"] = f"Bearer {token}"
        payload = json.dumps(body).encode() if body is not None else None
        if payload is not None:
            sent["Content-Type"] = "application/json"
        route = self.gateway.matcher.match_route(path.partition("?")[0]).route
        function = self.gateway.routes[(route, method)].function
        containers = [load_functions() for _ in range(count)]
        for functions in containers:
            functions[function].load()  # each container's cold start, before the burst
        start = threading.Barrier(count)

        def one(functions: dict[str, Any]) -> GatewayResponse:
            start.wait()
            return self.gateway.handle(method, path, sent, payload, source_ip=self.source_ip, containers=functions)

        with ThreadPoolExecutor(max_workers=count) as pool:
            return list(pool.map(one, containers))


@pytest.fixture
def dynamodb_writes_atomically(aws: None, monkeypatch: pytest.MonkeyPatch) -> None:
    """DynamoDB applies each request to an item atomically. moto does it in Python on shared objects: two threads
    can interleave inside one read-modify-write, and an answer is serialized after the lock-free write, from an
    item another thread may be changing. One lock around each DynamoDB request models DynamoDB's atomicity (more
    strictly: per service, not per item), so a burst test judges the code, not moto."""
    lock = threading.RLock()
    call_action = DynamoHandler.call_action

    def one_request_at_a_time(handler: DynamoHandler) -> Any:
        with lock:
            return call_action(handler)

    monkeypatch.setattr(DynamoHandler, "call_action", one_request_at_a_time)


class PasswordChecks:
    """Counts the argon2 checks requests make: a real one, or the dummy one for an unknown username."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.count = 0
        self._lock = threading.Lock()
        self._inside = threading.local()  # the dummy check verifies a password itself: count it once
        for name in ("verify_password", "spend_verification_time"):
            monkeypatch.setattr(passwords, name, self._counted(getattr(passwords, name)))

    def _counted(self, check: Callable[..., Any]) -> Callable[..., Any]:
        def counted(*args: Any, **kwargs: Any) -> Any:
            if getattr(self._inside, "check", False):
                return check(*args, **kwargs)
            with self._lock:
                self.count += 1
            self._inside.check = True
            try:
                return check(*args, **kwargs)
            finally:
                self._inside.check = False

        return counted


@pytest.fixture
def password_checks(monkeypatch: pytest.MonkeyPatch) -> PasswordChecks:
    return PasswordChecks(monkeypatch)


@pytest.fixture
def api(aws: None, gateway: Gateway) -> Api:
    return Api(gateway)


@pytest.fixture
def mail(aws: None) -> Mailbox:
    return Mailbox()


# The standard candidate, made on a seeded emulator: the emulator just after, when it was taken, and the login.
_standard: list[tuple[float, emulator_state.Saved, dict[str, str]]] = []
# How old that copy may be: what the candidate made (a session, throttle windows, the emails' times) is this much older
# than if it had been made now. Every test's margins around a time limit are a minute or more.
STANDARD_CANDIDATE_AGE_S = 20


@pytest.fixture
def candidate(api: Api, mail: Mailbox) -> dict[str, str]:
    """A registered, verified candidate who is logged in.

    Registering, verifying and logging in costs a third of a second of CPU, in over half of this ring's tests; the
    emulator as it stands just after is kept (a copy, as the seeded one is) and put back instead, while it is recent
    and as long as the test has not called the emulator or moved the clock before asking for its candidate."""
    untouched = _EmulatorCalls.count == _as_seeded_at[0] and abs(clock.now().timestamp() - time.time()) < 1
    if untouched and _standard and time.monotonic() - _standard[0][0] < STANDARD_CANDIDATE_AGE_S:
        _, saved, made = _standard[0]
        emulator_state.restore(saved)
        _forget_caches()
        return dict(made)
    made = make_candidate(api, mail, "ada", "ada@example.org")
    if untouched:
        _standard[:] = [(time.monotonic(), emulator_state.save(), made)]
    return dict(made)


def make_candidate(api: Api, mail: Mailbox, username: str, email: str) -> dict[str, str]:
    assert api.register(username, email).status == 201
    token = mail.latest_link(email, "/verify-email")
    assert api.call("POST", "/auth/verify-email", {"token": token}).status == 200
    login = api.login(username)
    assert login.status == 200, login.body
    body = login.json()
    return {
        "username": username,
        "email": email,
        "token": body["token"],
        "csrf_token": body["csrf_token"],
        "cookie": login.cookie("session") or "",
    }
