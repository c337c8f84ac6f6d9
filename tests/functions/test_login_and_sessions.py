"""Login, its throttling, and the sessions it starts: bearer and cookie, CSRF, timeouts, logout, isolation."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

from certtracker.core import clock
from certtracker.core.tokens import digest
from certtracker.models.accounts import Account, AccountClaim
from certtracker.models.one_time_tokens import OneTimeToken
from certtracker.models.sessions import Session
from infra import lambdas
from infra.gateway import GatewayResponse
from infra.lambdas import load_functions
from tests.functions.conftest import NEW_PASSWORD, PASSWORD, WRONG_PASSWORD, Api, error, make_candidate


def cookie_of(session: dict[str, str]) -> dict[str, str]:
    """The Cookie header a browser sends back after the login's Set-Cookie."""
    return {"Cookie": session["cookie"].split(";", 1)[0]}


# ---------------------------------------------------------------- login


def test_login_returns_token_csrf_token_expiry_and_a_strict_cookie(api, candidate):
    before = clock.now()

    response = api.login("ADA")  # usernames are not case-sensitive

    assert response.status == 200, response.body
    body = response.json()
    assert set(body) == {"token", "csrf_token", "expires_at"}
    assert len(body["token"]) >= 43  # 256 bits, URL-safe base64
    assert body["csrf_token"] != body["token"]
    expires_in = datetime.fromisoformat(body["expires_at"]) - before
    assert timedelta(hours=11, minutes=59) < expires_in <= timedelta(hours=12, minutes=1)
    attributes = [part.strip() for part in (response.cookie("session") or "").split(";")]
    assert attributes[0] == f"session={body['token']}"
    assert {"HttpOnly", "SameSite=Strict", "Path=/"} <= set(attributes)
    # Beside it, a marker with no secret that pages read (so a signed-out page never asks GET /me for a 401).
    marker = [part.strip() for part in (response.cookie("certtracker-signed-in") or "").split(";")]
    assert marker[0] == "certtracker-signed-in=1"
    assert {"SameSite=Strict", "Path=/"} <= set(marker)
    assert "HttpOnly" not in marker
    assert response.header("Cache-Control") == "no-store"


def test_failed_logins_look_alike_and_lock_a_username_whether_or_not_it_exists(api, candidate):
    def five_failures(username: str) -> list[tuple[int, bytes, str | None]]:
        responses = [api.login(username, WRONG_PASSWORD) for _ in range(5)]
        return [(r.status, r.body, r.header("Set-Cookie")) for r in responses]

    wrong_password = five_failures("ada")
    unknown_user = five_failures("nobody-here")

    assert wrong_password[0][0] == 401
    assert json.loads(wrong_password[0][1])["error"]["code"] == "invalid_credentials"
    assert unknown_user == wrong_password  # status, body and no cookie, attempt by attempt
    real = api.login("ada")  # the right password, while locked
    ghost = api.login("nobody-here")
    assert error(real, 429)["code"] == "too_many_attempts"
    assert (ghost.status, ghost.body) == (real.status, real.body)
    waits = [int(r.header("Retry-After") or 0) for r in (real, ghost)]
    assert all(0 < wait <= 60 for wait in waits), waits

    clock.advance(max(waits) + 1)

    assert api.login("ada").status == 200
    # Past the lock an unknown name is heard again; its next failure locks it for longer.
    again = api.login("nobody-here", WRONG_PASSWORD)
    assert error(again, 429)["code"] == "too_many_attempts"
    assert int(again.header("Retry-After") or 0) > max(waits)


def test_thirty_failures_from_one_address_lock_it_for_every_username(api):
    statuses = [api.login(f"guess{n}", WRONG_PASSWORD).status for n in range(30)]

    assert statuses[:29] == [401] * 29
    assert error(api.login("yet-another-name", WRONG_PASSWORD), 429)["code"] == "too_many_attempts"
    elsewhere = Api(api.gateway, source_ip="198.51.100.20")
    assert error(elsewhere.login("yet-another-name", WRONG_PASSWORD), 401)["code"] == "invalid_credentials"


def test_behind_cloudfront_one_viewers_failures_do_not_lock_out_the_others_of_its_edge(api):
    """Deployed, every request reaches the API from a CloudFront edge: its address (sourceIp) is shared by
    everyone that edge serves. The per-address limit counts the viewer CloudFront names instead."""
    edge = "130.176.20.90"
    deployed = load_functions({**lambdas.process_parameters(), "ClientAddressFrom": "cloudfront"})

    def login(viewer: str, username: str, *, sent_by_viewer: str = "") -> GatewayResponse:
        forwarded = ", ".join(part for part in (sent_by_viewer, viewer, edge) if part)
        body = json.dumps({"username": username, "password": WRONG_PASSWORD}).encode()
        headers = {"Content-Type": "application/json", "X-Forwarded-For": forwarded}
        return api.gateway.handle("POST", "/auth/login", headers, body, source_ip=edge, containers=deployed)

    statuses = [login("203.0.113.7", f"guess{n}").status for n in range(30)]

    assert statuses[:29] == [401] * 29
    assert error(login("203.0.113.7", "yet-another-name"), 429)["code"] == "too_many_attempts"
    # The same viewer writing another address in X-Forwarded-For is still the same viewer.
    spoofing = login("203.0.113.7", "yet-another-name", sent_by_viewer="198.51.100.99")
    assert error(spoofing, 429)["code"] == "too_many_attempts"
    neighbour = login("198.51.100.20", "yet-another-name")
    assert error(neighbour, 401)["code"] == "invalid_credentials"


# ---------------------------------------------------------------- using a session


def test_cookie_session_reads_freely_but_writes_only_with_its_own_csrf_token(api, candidate):
    other_session_csrf = api.login("ada").json()["csrf_token"]
    by_cookie = api.call("GET", "/me", headers=cookie_of(candidate))
    account = Account.get(Account.key(by_cookie.json()["account_id"]))

    assert by_cookie.status == 200, by_cookie.body
    assert by_cookie.json()["username"] == "ada"
    refused = {
        "logout without the header": api.call("POST", "/auth/logout", headers=cookie_of(candidate)),
        "logout with another session's token": api.call(
            "POST", "/auth/logout", headers={**cookie_of(candidate), "X-CSRF-Token": other_session_csrf}
        ),
        "password change without the header": api.call(
            "PUT",
            "/me/password",
            {"current_password": PASSWORD, "new_password": NEW_PASSWORD},
            headers=cookie_of(candidate),
        ),
    }
    for case, response in refused.items():
        assert error(response, 403)["code"] == "csrf_failed", case
    assert Account.get(account.pk).password_hash == account.password_hash
    assert api.call("GET", "/me", headers=cookie_of(candidate)).status == 200

    logout = api.call("POST", "/auth/logout", headers={**cookie_of(candidate), "X-CSRF-Token": candidate["csrf_token"]})

    assert logout.status == 204, logout.body
    for name in ("session", "certtracker-signed-in"):
        cleared = [part.strip() for part in (logout.cookie(name) or "").split(";")]
        assert cleared[0] == f"{name}="
        assert "Max-Age=0" in cleared
    assert error(api.call("GET", "/me", headers=cookie_of(candidate)), 401)["code"] == "unauthorized"


def test_missing_unknown_or_logged_out_credentials_get_401(api, candidate, subtests):
    credentials = {
        "nothing": {},
        "a made-up bearer token": {"Authorization": "Bearer " + "A" * 43},
        "an over-long bearer token": {"Authorization": "Bearer " + "A" * 500},
        "a bearer token that is not ASCII": {"Authorization": "Bearer é€ü"},
        "another scheme": {"Authorization": "Basic YWRhOnBhc3N3b3Jk"},
        "an empty bearer token": {"Authorization": "Bearer "},
        "a made-up cookie": {"Cookie": "session=" + "A" * 43},
        "an empty cookie": {"Cookie": "session="},
        "a cookie of another name": {"Cookie": "other=" + candidate["token"]},
        "a broken cookie header": {"Cookie": 'session="unterminated'},
    }
    routes = (("GET", "/me"), ("POST", "/auth/logout"), ("PUT", "/me/password"))
    for case, headers in credentials.items():
        for method, path in routes:
            with subtests.test(case, route=f"{method} {path}"):
                assert error(api.call(method, path, headers=headers), 401)["code"] == "unauthorized"
    assert api.call("GET", "/me", token=candidate["token"]).status == 200

    logout = api.call("POST", "/auth/logout", token=candidate["token"])  # no CSRF token: not a cookie

    assert logout.status == 204, logout.body
    for method, path in routes:
        with subtests.test("the token after logout", route=f"{method} {path}"):
            assert error(api.call(method, path, token=candidate["token"]), 401)["code"] == "unauthorized"


def test_a_session_ends_after_30_idle_minutes_and_after_12_hours_however_active(api, candidate):
    idle = api.login("ada").json()["token"]

    clock.advance(29 * 60)
    assert api.call("GET", "/me", token=candidate["token"]).status == 200  # 29 idle minutes are fine
    clock.advance(2 * 60)
    assert error(api.call("GET", "/me", token=idle), 401)["code"] == "unauthorized"  # 31 are not

    elapsed = 31
    while elapsed + 20 < 12 * 60:  # a request every 20 minutes, as long as the next stays within 12 hours
        clock.advance(20 * 60)
        elapsed += 20
        assert api.call("GET", "/me", token=candidate["token"]).status == 200, f"at {elapsed} minutes"
    clock.advance(20 * 60)  # past 12 hours since login, yet only 20 minutes after the last request

    assert error(api.call("GET", "/me", token=candidate["token"]), 401)["code"] == "unauthorized"


def test_another_accounts_session_reaches_only_that_account(api, mail, candidate):
    bea = make_candidate(api, mail, "bea", "bea@example.org")  # the same password as ada
    ada_id = api.call("GET", "/me", token=candidate["token"]).json()["account_id"]
    ada_hash = Account.get(Account.key(ada_id)).password_hash

    assert api.call("GET", "/me", token=bea["token"]).json()["username"] == "bea"
    smuggled = api.call(
        "PUT",
        "/me/password",
        {"current_password": PASSWORD, "new_password": NEW_PASSWORD, "account_id": ada_id},
        token=bea["token"],
    )
    assert error(smuggled, 422)["field"] == "account_id"
    changed = api.call(
        "PUT", "/me/password", {"current_password": PASSWORD, "new_password": NEW_PASSWORD}, token=bea["token"]
    )
    assert changed.status == 204, changed.body
    assert api.call("POST", "/auth/logout", token=bea["token"]).status == 204

    me = api.call("GET", "/me", token=candidate["token"])
    assert me.status == 200, me.body
    assert me.json()["username"] == "ada"
    assert Account.get(Account.key(ada_id)).password_hash == ada_hash
    assert api.login("ada").status == 200
    assert error(api.call("GET", "/me", token=bea["token"]), 401)["code"] == "unauthorized"


# ---------------------------------------------------------------- secrets


def test_secrets_are_never_answered_or_emailed_and_are_stored_only_as_hashes(api, mail):
    responses = [api.register("ada", "ada@example.org")]
    link_token = mail.latest_link("ada@example.org", "/verify-email")
    responses.append(api.call("POST", "/auth/verify-email", {"token": link_token}))
    responses.append(api.login("ada", WRONG_PASSWORD))
    responses.append(api.call("POST", "/auth/login", {"username": "ada", "password": PASSWORD, "remember": True}))
    login = api.login("ada")
    session = login.json()
    token = session["token"]

    account = Account.get(Account.key(AccountClaim.get(AccountClaim.for_username("ada")).account_id))
    assert account.password_hash.startswith("$argon2id$v=19$m=19456,t=2,p=1$")
    assert PASSWORD not in json.dumps(account.serialize())
    assert OneTimeToken.count(link_token) == 0  # no item is keyed by a link's token
    assert Session.count(token) == 0  # nor by a session's token
    stored = list(Session.scan())
    assert [item.token_hash for item in stored] == [digest(token)]
    assert stored[0].csrf_hash == digest(session["csrf_token"])
    assert token not in json.dumps(stored[0].serialize())

    responses += [
        api.call("GET", "/me", token=token),
        api.call(
            "PUT", "/me/password", {"current_password": WRONG_PASSWORD, "new_password": NEW_PASSWORD}, token=token
        ),
        api.call("PUT", "/me/password", {"current_password": PASSWORD, "new_password": "x" * 2000}, token=token),
        api.call("PUT", "/me/password", {"current_password": PASSWORD, "new_password": NEW_PASSWORD}, token=token),
        api.call("POST", "/auth/recovery/username", {"email": "ada@example.org"}),
        api.call("POST", "/auth/recovery/password", {"username_or_email": "ada"}),
        api.call("POST", "/auth/logout", token=token),
        api.call("GET", "/me", token=token),
    ]
    secrets = {"password": PASSWORD, "new password": NEW_PASSWORD, "token": token, "CSRF token": session["csrf_token"]}

    assert set(session) == {"token", "csrf_token", "expires_at"}
    assert PASSWORD not in login.body.decode()
    for response in responses:
        seen = response.body.decode() + json.dumps(response.headers)
        for name, secret in secrets.items():
            assert secret not in seen, f"the {name} appears in a {response.status} response"
    for message in mail.all():
        for name, secret in secrets.items():
            assert secret not in message["text"] + message["html"], f"the {name} is in '{message['subject']}'"
