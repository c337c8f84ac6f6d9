"""Requests per second of the local gateway on GET /api/me, from concurrent keep-alive clients."""

from __future__ import annotations

import statistics
import sys
import threading
import time
from dataclasses import dataclass

import requests

from infra.process import local_stack

# infra/seed.py's demo candidate; importing seed would load the layer's table models into this process.
DEMO_USERNAME = "demo"
DEMO_PASSWORD = "Certified-Sunrise-4821"
REQUEST_TIMEOUT_S = 30


@dataclass(frozen=True)
class Run:
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


def _client(
    url: str,
    token: str,
    count: int,
    ready: threading.Barrier,
    latencies: list[float],
    statuses: list[int],
) -> None:
    with requests.Session() as session:
        session.headers["Authorization"] = f"Bearer {token}"
        session.get(url, timeout=REQUEST_TIMEOUT_S)  # opens this client's keep-alive connection, untimed
        ready.wait()
        for _ in range(count):
            start = time.perf_counter()
            try:
                status = session.get(url, timeout=REQUEST_TIMEOUT_S).status_code
            except requests.RequestException:
                status = 0
            latencies.append((time.perf_counter() - start) * 1000)
            statuses.append(status)


def measure_clients(base: str, token: str, clients: int, total: int) -> Run:
    """`total` requests shared among `clients` threads, each with its own session; timed from the common start."""
    url = base + "/api/me"
    ready = threading.Barrier(clients + 1)
    latencies: list[list[float]] = [[] for _ in range(clients)]
    statuses: list[list[int]] = [[] for _ in range(clients)]
    threads = [
        threading.Thread(
            target=_client,
            args=(url, token, total // clients + (i < total % clients), ready, latencies[i], statuses[i]),
            daemon=True,
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
        clients=clients,
        requests=len(all_statuses),
        seconds=seconds,
        latencies_ms=[ms for per_client in latencies for ms in per_client],
        non_200=sum(status != 200 for status in all_statuses) + (total - len(all_statuses)),
    )


def measure(total: int, client_counts: list[int], warmup: int) -> list[Run]:
    with local_stack() as base:
        token = log_in(base)
        with requests.Session() as session:
            session.headers["Authorization"] = f"Bearer {token}"
            for _ in range(warmup):
                session.get(base + "/api/me", timeout=REQUEST_TIMEOUT_S).raise_for_status()
        runs = []
        for clients in client_counts:
            print(f"  gateway: {total} requests from {clients} client(s)", file=sys.stderr, flush=True)
            runs.append(measure_clients(base, token, clients, total))
        return runs
