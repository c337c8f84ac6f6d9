"""Time budgets: a dependency that never answers still gets the user the designed answer, in time.

The stand-in for SES and Pearson VUE is a TCP server that accepts connections and never replies,
the worst a dependency can do. The functions run with a Lambda context of a few seconds; each test
checks that the answer came before the context's deadline, that it is the designed one, and that
nothing is left half-written.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import timedelta

import pytest

from certtracker.core import clock
from certtracker.core.aws import client
from certtracker.credentials import awards
from certtracker.models.accounts import Account
from certtracker.models.exam_registrations import OPEN_PREFIX, REGISTRATION_PREFIX, ExamRegistration
from certtracker.models.shares import Share, ShareLink
from infra import lambdas
from infra.events import LambdaContext
from tests.functions.conftest import error

SHORT_TIMEOUT_S = 3.0


@dataclass
class SilentServer:
    url: str
    connections: list[socket.socket] = field(default_factory=list)


@pytest.fixture
def silent_server() -> Iterator[SilentServer]:
    """Accepts connections on 127.0.0.1 and never answers them."""
    listener = socket.create_server(("127.0.0.1", 0), backlog=64)
    listener.settimeout(0.1)
    server = SilentServer(f"http://127.0.0.1:{listener.getsockname()[1]}")
    stop = threading.Event()

    def accept() -> None:
        while not stop.is_set():
            try:
                connection, _ = listener.accept()
            except TimeoutError:
                continue
            server.connections.append(connection)

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield server
    stop.set()
    thread.join()
    listener.close()
    for connection in server.connections:
        connection.close()


@pytest.fixture
def contexts(candidate: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> list[LambdaContext]:
    """Every function invoked from now on gets a context of SHORT_TIMEOUT_S; the list holds them in order.

    After `candidate`, whose requests warm the functions: a cold start's lazy loading is not measured.
    """
    made: list[LambdaContext] = []

    def short_context(name: str, memory_mb: int = 512, timeout_s: float = 10) -> LambdaContext:
        made.append(LambdaContext(name, memory_mb, SHORT_TIMEOUT_S))
        return made[-1]

    monkeypatch.setattr(lambdas, "LambdaContext", short_context)
    return made


def _answered_in_time(contexts: list[LambdaContext]) -> None:
    function = contexts[-1]  # the route's function (an authorizer, if any, ran before it)
    assert function.get_remaining_time_in_millis() > 0, f"{function.function_name} answered after its deadline"


@pytest.fixture
def ses_never_answers(aws: None, silent_server: SilentServer, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("AWS_ENDPOINT_URL_SESV2", silent_server.url)  # moto passes non-AWS hosts through
    client.cache_clear()  # only the boto3 clients: DynamoDB's stay warm
    yield
    monkeypatch.delenv("AWS_ENDPOINT_URL_SESV2", raising=False)
    client.cache_clear()


def test_registration_when_ses_never_answers_answers_email_delayed_before_the_deadline(
    api, mail, candidate, ses_never_answers, silent_server, contexts, monkeypatch
) -> None:
    registered = api.register("lin", "lin@example.org")

    _answered_in_time(contexts)
    assert registered.status == 201, registered.body
    assert registered.json()["status"] == "verification_email_delayed"
    assert silent_server.connections, "SES was never tried"
    assert sorted(a.username for a in Account.scan() if a.pk.startswith("ACCOUNT#")) == ["ada", "lin"]

    # A person who retries anyway is told where the account they just made went.
    again = api.register("lin", "lin@example.org")
    _answered_in_time(contexts)
    taken = error(again, 409)
    assert taken["code"] == "username_taken"
    assert "account recovery" in taken["message"]

    # SES is back (and the functions have their usual time): recovery sends a fresh verification link.
    monkeypatch.undo()
    client.cache_clear()
    assert api.call("POST", "/auth/recovery/password", {"username_or_email": "lin"}).status == 202
    token = mail.latest_link("lin@example.org", "/verify-email")
    assert api.call("POST", "/auth/verify-email", {"token": token}).status == 200
    assert api.login("lin").status == 200


@pytest.mark.parametrize("path", ["/auth/recovery/password", "/auth/recovery/username"])
def test_recovery_when_ses_never_answers_still_answers_202_before_the_deadline(
    api, candidate, ses_never_answers, contexts, path
) -> None:
    body = {"email": candidate["email"]} if path.endswith("username") else {"username_or_email": "ada"}
    answer = api.call("POST", path, body)  # the route answers, then the queue's consumer runs

    assert answer.status == 202, answer.body
    assert [c.function_name for c in contexts] == ["AccountsFunction", "RecoveryMailFunction"]
    _answered_in_time(contexts)  # the consumer gave up in time: SES never answered
    assert len(api.queues.failed) == 1  # and the request went back on the queue, to be tried again


@pytest.fixture
def pearson_vue_never_answers(api, silent_server: SilentServer, monkeypatch: pytest.MonkeyPatch) -> None:
    function = api.gateway.functions["ExamsFunction"]  # its PEARSON_VUE_BASE_URL, from the template parameter
    monkeypatch.setattr(function, "parameters", {**function.parameters, "PearsonVueBaseUrl": silent_server.url})


def _register(api, candidate, exam_id: str):
    return api.call("POST", "/me/exam-registrations", {"exam_id": exam_id}, token=candidate["token"])


def test_exam_registration_when_pearson_vue_never_answers_is_a_503_in_time_and_keeps_nothing(
    api, candidate, silent_server, pearson_vue_never_answers, contexts, monkeypatch
) -> None:
    assert _register(api, candidate, "ASM-EP-101").status == 201  # an assessment: no Pearson VUE call, a warm secret
    answer = _register(api, candidate, "250-580")

    _answered_in_time(contexts)
    assert error(answer, 503)["code"] == "pearson_vue_unavailable"
    assert answer.header("Retry-After") == "60"
    assert silent_server.connections, "Pearson VUE was never tried"
    held = [item.sk for item in ExamRegistration.scan()]  # the table's every item, claims included
    assert OPEN_PREFIX + "250-580" not in held, held
    assert len([sk for sk in held if sk.startswith(REGISTRATION_PREFIX)]) == 1, held  # the assessment's alone

    # Pearson VUE is back: nothing half-made blocks the next try.
    monkeypatch.undo()
    assert _register(api, candidate, "250-580").status == 201


def test_a_share_when_ses_never_answers_is_a_503_in_time_and_keeps_nothing(
    api, candidate, ses_never_answers, silent_server, contexts
) -> None:
    owner = api.call("GET", "/me", token=candidate["token"]).json()["account_id"]
    now = clock.now()
    assert awards.grant(owner, "CERT-EP", cycle=1, earned_at=now, expires_at=now + timedelta(days=365))
    body = {"recipient_email": "hr@employer.example", "credential_ids": ["CERT-EP"], "expires_in_days": 30}
    shared = api.call("POST", "/me/shares", body, token=candidate["token"])

    _answered_in_time(contexts)
    assert error(shared, 503)["code"] == "share_email_not_sent"
    assert silent_server.connections, "SES was never tried"
    assert list(Share.scan()) == []
    assert list(ShareLink.scan()) == []
