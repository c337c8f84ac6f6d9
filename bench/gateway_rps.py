"""Requests per second of the local gateway, from concurrent keep-alive clients, for a few routes:
GET /api/me, GET /api/me/exams, Pearson VUE's signed results webhook, and password recovery for an
account that exists beside one that does not (their medians must match: timing must not reveal accounts)."""

from __future__ import annotations

import statistics
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

import requests

from infra.process import local_stack

# infra/seed.py's demo candidate; importing seed would load the layer's table models into this process.
DEMO_USERNAME = "demo"
DEMO_PASSWORD = "Certified-Sunrise-4821"
REQUEST_TIMEOUT_S = 30
# Deliveries are signed before the timed loop and the webhook refuses signatures older than five
# minutes; moto's index queries scan the whole table, so the run stays short enough to finish in time.
WEBHOOK_REQUESTS = 400


@dataclass(frozen=True)
class Run:
    route: str
    clients: int
    requests: int
    seconds: float
    latencies_ms: list[float]
    non_200: int

    @property
    def per_second(self) -> float:
        return self.requests / self.seconds

    def percentile(self, fraction: float) -> float:
        ordered = sorted(self.latencies_ms)
        return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]

    @property
    def p50(self) -> float:
        return statistics.median(self.latencies_ms)

    @property
    def p95(self) -> float:
        return self.percentile(0.95)


def log_in(base: str) -> str:
    response = requests.post(
        base + "/api/auth/login",
        json={"username": DEMO_USERNAME, "password": DEMO_PASSWORD},
        timeout=REQUEST_TIMEOUT_S,
    )
    response.raise_for_status()
    return str(response.json()["token"])


# One request of a scenario: (session, index of the request) -> HTTP status.
Call = Callable[[requests.Session, int], int]


def _client(
    call: Call, offset: int, count: int, ready: threading.Barrier, latencies: list[float], statuses: list[int]
) -> None:
    with requests.Session() as session:
        call(session, -1)  # opens this client's keep-alive connection, untimed
        ready.wait()
        for index in range(offset, offset + count):
            start = time.perf_counter()
            try:
                status = call(session, index)
            except requests.RequestException:
                status = 0
            latencies.append((time.perf_counter() - start) * 1000)
            statuses.append(status)


def measure_clients(route: str, call: Call, clients: int, total: int) -> Run:
    """`total` requests shared among `clients` threads, each with its own session; timed from the common start."""
    ready = threading.Barrier(clients + 1)
    latencies: list[list[float]] = [[] for _ in range(clients)]
    statuses: list[list[int]] = [[] for _ in range(clients)]
    shares = [total // clients + (i < total % clients) for i in range(clients)]
    offsets = [sum(shares[:i]) for i in range(clients)]
    threads = [
        threading.Thread(
            target=_client, args=(call, offsets[i], shares[i], ready, latencies[i], statuses[i]), daemon=True
        )
        for i in range(clients)
    ]
    for thread in threads:
        thread.start()
    ready.wait(timeout=REQUEST_TIMEOUT_S * 2)
    start = time.perf_counter()
    for thread in threads:
        thread.join()
    seconds = time.perf_counter() - start
    all_statuses = [status for per_client in statuses for status in per_client]
    return Run(
        route=route,
        clients=clients,
        requests=len(all_statuses),
        seconds=seconds,
        latencies_ms=[ms for per_client in latencies for ms in per_client],
        non_200=sum(status != 200 for status in all_statuses) + (total - len(all_statuses)),
    )


def _get(url: str, token: str) -> Call:
    def call(session: requests.Session, index: int) -> int:
        return session.get(url, headers={"Authorization": f"Bearer {token}"}, timeout=REQUEST_TIMEOUT_S).status_code

    return call


def _webhook(base: str, token: str, total: int) -> Call:
    """Each request a new result (the storing path, a transaction), signed by the stand-in before timing."""
    registration = requests.post(
        base + "/api/me/exam-registrations",
        json={"exam_id": "ASM-EP-101"},
        headers={"Authorization": f"Bearer {token}"},
        timeout=REQUEST_TIMEOUT_S,
    )
    registration.raise_for_status()
    signed = requests.post(
        base + "/_local/pearson-vue/signed-results",
        timeout=REQUEST_TIMEOUT_S * 4,
        json={"registration_id": registration.json()["registration_id"], "count": total + 1},
    ).json()["deliveries"]
    url = base + "/api/integrations/pearson-vue/results"

    def call(session: requests.Session, index: int) -> int:
        delivery = signed[index + 1]  # the untimed opening request takes the first
        return session.post(
            url, data=delivery["body"].encode(), headers=delivery["headers"], timeout=REQUEST_TIMEOUT_S
        ).status_code

    return call


def measure_recovery(url: str, clients: int, total: int) -> list[Run]:
    """POST /auth/recovery/password for an account that exists and one that does not, alternating request by
    request (the queue's consumer works in the background all along, so both kinds meet the same load).
    Their medians must match: the time of the answer must not tell whether an account exists."""
    kinds = {DEMO_USERNAME: "POST recovery, account exists", "nobody-at-all": "POST recovery, no account"}
    latencies: dict[str, list[float]] = {who: [] for who in kinds}
    statuses: dict[str, list[int]] = {who: [] for who in kinds}
    lock = threading.Lock()

    def call(session: requests.Session, index: int) -> int:
        who = list(kinds)[index % 2]
        start = time.perf_counter()
        status = session.post(url, json={"username_or_email": who}, timeout=REQUEST_TIMEOUT_S).status_code
        if index >= 0:  # -1 opens the keep-alive connection, untimed
            with lock:
                latencies[who].append((time.perf_counter() - start) * 1000)
                statuses[who].append(status)
        return 200 if status == 202 else status  # 202 is this route's success

    both = measure_clients("POST recovery", call, clients, total)
    return [
        Run(
            route=route,
            clients=clients,
            requests=len(statuses[who]),
            seconds=both.seconds,
            latencies_ms=latencies[who],
            non_200=sum(status != 202 for status in statuses[who]),
        )
        for who, route in kinds.items()
    ]


def measure(total: int, client_counts: list[int], warmup: int) -> list[Run]:
    with local_stack() as base:
        token = log_in(base)
        warm = _get(base + "/api/me", token)
        with requests.Session() as session:
            for index in range(warmup):
                warm(session, index)
        runs = []
        for route, make in (
            ("GET /api/me", lambda: _get(base + "/api/me", token)),
            ("GET /api/me/exams", lambda: _get(base + "/api/me/exams", token)),
            ("POST webhook", lambda: _webhook(base, token, min(total, WEBHOOK_REQUESTS))),
        ):
            count = min(total, WEBHOOK_REQUESTS) if route == "POST webhook" else total
            for clients in client_counts:
                print(f"  gateway: {route}, {count} requests from {clients} client(s)", file=sys.stderr, flush=True)
                runs.append(measure_clients(route, make(), clients, count))
        for clients in client_counts:
            print(f"  gateway: recovery, {total} requests from {clients} client(s)", file=sys.stderr, flush=True)
            runs += measure_recovery(base + "/api/auth/recovery/password", clients, total)
        return runs
