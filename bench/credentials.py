"""The requirement evaluator's cost: one candidate with 50 passed results and a few held credentials, evaluated
against the whole seeded credential catalog (every credential's earning and recertification trees), in this
process; the goal is at most 5 ms. A catalog ten times the seed's size shows how it grows."""

from __future__ import annotations

import json
import random
import statistics
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from infra.credentials import SEED_DOCUMENT  # puts the layer on sys.path
from infra.template import ROOT

GOAL_MS = 5.0
RESULTS = 50


@dataclass(frozen=True)
class Run:
    label: str
    credentials: int
    trees: int
    times_ms: list[float]

    def percentile(self, fraction: float) -> float:
        ordered = sorted(self.times_ms)
        return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]

    @property
    def median(self) -> float:
        return statistics.median(self.times_ms)


def measure(repeats: int) -> list[Run]:
    from certtracker.credentials import catalog
    from certtracker.credentials.evaluator import Facts, HeldCredential, PassedResult, evaluate

    exams = json.loads((ROOT / "infra" / "seed_data" / "catalog.json").read_text("utf-8"))["exams"]
    document = json.loads(SEED_DOCUMENT.read_text("utf-8"))
    seeded = catalog.validate(document, {e["exam_id"] for e in exams}, {e["track"] for e in exams}).credentials
    now = datetime(2026, 11, 15, tzinfo=UTC)
    pick = random.Random(12)  # the same candidate on every run
    results = [
        PassedResult(pick.choice(exams)["exam_id"], f"r{i:03}", now - timedelta(days=pick.randint(0, 4 * 365)))
        for i in range(RESULTS)
    ]
    held = [
        HeldCredential(credential_id, now - timedelta(days=200), now + timedelta(days=days))
        for credential_id, days in (("ACC-DLP", 160), ("CERT-EP", 500), ("CERT-NP", -20))
    ]
    runs = []
    for label, credentials in (("seeded catalog", seeded), ("catalog x10", seeded * 10)):
        trees = [tree for c in credentials for tree in (c.requirements, c.recertification.requirements)]
        times = []
        for _ in range(repeats):
            start = time.perf_counter()
            facts = Facts.of(results, held)  # part of the cost: a candidate's facts are indexed per evaluation
            for tree in trees:
                evaluate(tree, facts, now)
            times.append((time.perf_counter() - start) * 1000)
        runs.append(Run(label, len(credentials), len(trees), times))
    return runs
