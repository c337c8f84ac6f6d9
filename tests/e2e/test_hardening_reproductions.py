"""Issue 9's reproductions, re-run over HTTP against `make run`: each now gets the required answer.

(Bursts, least privilege and time budgets can only be shown in-process: see tests/functions.)
"""

from __future__ import annotations

import requests

from infra import seed

PASSWORD = "Orchid-Lantern-Violet-42"
NEW_PASSWORD = "Harbor-Quietly-Sings-58"
JSON = {"Content-Type": "application/json"}


def register(stack, username: str, email: str, password: str = PASSWORD, **extra) -> requests.Response:
    body = {
        "username": username,
        "email": email,
        "password": password,
        "first_name": "Carol",
        "last_name": "Shaw",
        "country": "GB",
        "accept_privacy_notice": True,
        **extra,
    }
    return requests.post(f"{stack.api}/auth/register", json=body, timeout=10)


def verified_session(stack, username: str, email: str) -> dict[str, str]:
    assert register(stack, username, email).status_code == 201
    token = stack.link_token(email, "/verify-email")
    assert requests.post(f"{stack.api}/auth/verify-email", json={"token": token}, timeout=10).status_code == 200
    login = requests.post(f"{stack.api}/auth/login", json={"username": username, "password": PASSWORD}, timeout=10)
    return {"Authorization": f"Bearer {login.json()['token']}"}


def test_item_1_a_stolen_session_cannot_move_the_email_and_a_reset_spends_the_attackers_link(stack) -> None:
    stolen = verified_session(stack, "owner1", "owner1@example.org")
    bare = requests.patch(f"{stack.api}/me/profile", json={"email": "attacker@example.net"}, headers=stolen, timeout=10)
    assert bare.status_code == 422
    assert bare.json()["error"]["field"] == "current_password"
    # Suppose the attacker knows the password too: the owner is told at once and a reset ends it.
    asked = requests.patch(
        f"{stack.api}/me/profile",
        json={"email": "attacker@example.net", "current_password": PASSWORD},
        headers=stolen,
        timeout=10,
    )
    assert asked.status_code == 200
    attacker_link = stack.link_token("attacker@example.net", "/verify-email")
    assert stack.link_token("owner1@example.org", "/cancel-email-change")
    requests.post(f"{stack.api}/auth/recovery/password", json={"username_or_email": "owner1"}, timeout=10)
    reset = stack.link_token("owner1@example.org", "/reset-password")
    assert (
        requests.post(
            f"{stack.api}/auth/password-reset", json={"token": reset, "new_password": NEW_PASSWORD}, timeout=10
        ).status_code
        == 204
    )
    late = requests.post(f"{stack.api}/auth/verify-email", json={"token": attacker_link}, timeout=10)
    assert late.status_code == 410


def test_item_2_a_squatter_never_gets_the_owners_verification(stack) -> None:
    assert register(stack, "squatter", "carol@example.org", password="Quiet-Thief-Owns-Nothing-77").status_code == 201
    squatter_link = stack.link_token("carol@example.org", "/verify-email")
    assert register(stack, "carol", "carol@example.org").status_code == 201
    carol_link = stack.wait_for_mail(
        lambda m: "carol@example.org" in m["to"] and "Your username is carol." in m["text"]
    )["text"]
    token = carol_link.split("#token=")[1].split()[0]
    assert token != squatter_link
    assert requests.post(f"{stack.api}/auth/verify-email", json={"token": token}, timeout=10).status_code == 200
    login = requests.post(f"{stack.api}/auth/login", json={"username": "carol", "password": PASSWORD}, timeout=10)
    assert login.status_code == 200
    taken = requests.post(f"{stack.api}/auth/verify-email", json={"token": squatter_link}, timeout=10)
    assert taken.status_code == 409


def test_item_4_recovery_answers_alike_for_an_account_and_for_nobody(stack) -> None:
    answers = [
        requests.post(f"{stack.api}/auth/recovery/password", json={"username_or_email": who}, timeout=10)
        for who in (seed.DEMO_USERNAME, "nobody-at-all")
    ]
    assert {(a.status_code, a.text) for a in answers} == {(answers[0].status_code, answers[0].text)}
    assert answers[0].status_code == 202


def test_items_5_and_6_separators_overrides_and_undeliverable_addresses_get_a_422(stack) -> None:
    for subject in ("Line\u2028break", "Para\u2029graph", "Next\u0085line"):
        answer = requests.post(
            f"{stack.api}/support/requests",
            json={
                "name": "Lin Chen",
                "email": "lin@example.org",
                "category": "login",
                "subject": subject,
                "message": "The reset link never arrives.",
            },
            timeout=10,
        )
        assert answer.status_code == 422, answer.text
        assert answer.json()["error"]["field"] == "subject"
    for name in ("Ev\u202eil", "Zero\u200bWidth"):
        assert register(stack, "bidi1", "bidi@example.org", first_name=name).status_code == 422
    assert register(stack, "umlaut1", "\u00fcser@example.org").json()["error"]["field"] == "email"
    assert register(stack, "idn1", "user@b\u00fccher.example").status_code == 201
    assert stack.wait_for_mail(lambda m: "user@xn--bcher-kva.example" in m["to"])


def test_item_8_a_huge_integer_and_odd_webhook_timestamps_are_4xx(stack) -> None:
    huge = b'{"username": "x", "password": ' + b"9" * 5000 + b"}"
    answer = requests.post(f"{stack.api}/auth/login", data=huge, headers=JSON, timeout=10)
    assert (answer.status_code, answer.json()["error"]["code"]) == (400, "invalid_json")
    for timestamp in ("\u00b2", "\uff11\uff12\uff13", "9" * 5000):
        signed = requests.post(
            f"{stack.api}/integrations/pearson-vue/results",
            data=b"{}",
            # Header bytes as a client could send them (UTF-8); requests would refuse them as str.
            headers={**JSON, "X-PearsonVUE-Timestamp": timestamp.encode(), "X-PearsonVUE-Signature": "sha256=00"},
            timeout=10,
        )
        assert (signed.status_code, signed.json()["error"]["code"]) == (401, "unsigned")


def test_item_9_a_result_whose_verdict_contradicts_its_score_is_parked(stack) -> None:
    login = requests.post(
        f"{stack.api}/auth/login", json={"username": seed.DEMO_USERNAME, "password": seed.DEMO_PASSWORD}, timeout=10
    )
    auth = {"Authorization": f"Bearer {login.json()['token']}"}
    registered = requests.post(
        f"{stack.api}/me/exam-registrations", json={"exam_id": "250-580"}, headers=auth, timeout=10
    )
    assert registered.status_code == 201, registered.text
    delivered = requests.post(
        f"{stack.base}/_local/pearson-vue/results",
        json={"registration_id": registered.json()["registration_id"], "score": 10, "passed": True},
        timeout=20,
    )
    assert [d["body"]["status"] for d in delivered.json()["deliveries"]] == ["parked"]
    history = requests.get(f"{stack.api}/me/exams", headers=auth, timeout=10).json()["results"]
    assert all(result["score"] != 10 for result in history)


def test_item_10_a_double_submitted_form_makes_one_request(stack) -> None:
    body = {
        "name": "Lin Chen",
        "email": "lin.twice@example.org",
        "category": "login",
        "subject": "Cannot log in",
        "message": "The reset link never arrives.",
    }
    answers = [
        requests.post(f"{stack.api}/support/requests", json=body, headers={"Idempotency-Key": "k-1"}, timeout=10)
        for _ in range(2)
    ]
    assert len({a.json()["reference"] for a in answers}) == 1


def test_item_11_a_body_that_is_not_utf8_is_a_400(stack) -> None:
    latin1 = '{"username": "m\u00fcller", "password": "x"}'.encode("latin-1")
    answer = requests.post(f"{stack.api}/auth/login", data=latin1, headers=JSON, timeout=10)
    assert (answer.status_code, answer.json()["error"]["code"]) == (400, "invalid_encoding")
