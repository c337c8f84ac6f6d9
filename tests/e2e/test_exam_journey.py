"""Issue 5 over HTTP against `make run`: catalog, registration at the Pearson VUE stand-in, a result
delivered twice by the stand-in, and the history showing it once."""

from __future__ import annotations

import requests

from infra import seed


def test_a_candidate_registers_schedules_and_sees_a_result_delivered_twice_once(stack) -> None:
    api = stack.api
    catalog = requests.get(f"{api}/catalog/exams?kind=exam", timeout=10)
    assert catalog.status_code == 200
    assert catalog.headers["ETag"]
    assert (
        requests.get(
            f"{api}/catalog/exams?kind=exam", headers={"If-None-Match": catalog.headers["ETag"]}, timeout=10
        ).status_code
        == 304
    )

    login = requests.post(
        f"{api}/auth/login", timeout=10, json={"username": seed.DEMO_USERNAME, "password": seed.DEMO_PASSWORD}
    )
    auth = {"Authorization": f"Bearer {login.json()['token']}"}
    registered = requests.post(f"{api}/me/exam-registrations", json={"exam_id": "250-580"}, headers=auth, timeout=10)
    assert registered.status_code == 201, registered.text
    registration = registered.json()
    schedule = requests.get(registration["scheduling_url"], timeout=10)
    assert schedule.status_code == 200
    assert "Schedule exam 250-580" in schedule.text

    delivered = requests.post(
        f"{stack.base}/_local/pearson-vue/results",
        timeout=20,
        json={"registration_id": registration["registration_id"], "score": 84, "passed": True, "deliveries": 2},
    )
    assert [d["body"]["status"] for d in delivered.json()["deliveries"]] == ["stored", "duplicate"]

    history = requests.get(f"{api}/me/exams", headers=auth, timeout=10).json()["results"]
    assert len(history) == 1
    assert (history[0]["exam_id"], history[0]["score"], history[0]["passed"]) == ("250-580", 84, True)
    mine = requests.get(f"{api}/me/exam-registrations", headers=auth, timeout=10).json()["registrations"]
    assert mine[0]["status"] == "completed"


def test_an_outage_at_pearson_vue_is_a_clear_503(stack) -> None:
    login = requests.post(
        f"{stack.api}/auth/login", timeout=10, json={"username": seed.DEMO_USERNAME, "password": seed.DEMO_PASSWORD}
    )
    auth = {"Authorization": f"Bearer {login.json()['token']}"}
    requests.post(f"{stack.base}/_local/pearson-vue/outage", json={"seconds": 30}, timeout=10)
    answer = requests.post(f"{stack.api}/me/exam-registrations", json={"exam_id": "250-587"}, headers=auth, timeout=30)
    assert answer.status_code == 503
    assert answer.headers["Retry-After"] == "60"
    assert answer.json()["error"]["code"] == "pearson_vue_unavailable"
    requests.post(f"{stack.base}/_local/pearson-vue/outage", json={"seconds": 0}, timeout=10)
