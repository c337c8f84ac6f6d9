"""Certificate rendering, in this process and warm (each script's fonts parsed by a first render, as a container
does once): milliseconds of CPU per PDF for a name in each script, and the PDF's size. Goals: at most 10 ms for a
Latin name, 30 ms for any other script, 40 KB per PDF."""

from __future__ import annotations

import os
import statistics
import time
from dataclasses import dataclass
from datetime import date

from infra import lambdas

LATIN_GOAL_MS, OTHER_GOAL_MS, GOAL_KB = 10.0, 30.0, 40
NAMES = {
    "Latin": "Anna Smith",
    "Latin (Vietnamese)": "Nguyễn Thị Minh Khai",
    "Greek": "Γεώργιος Παπαδόπουλος",
    "Cyrillic": "Анна Иванова",
    "Arabic": "محمد عبد الله",
    "Hebrew": "דוד כהן",
    "Devanagari": "अमित शर्मा",
    "Chinese": "张伟",
    "Japanese": "山田 太郎",
    "Korean": "김민준",
    "Latin + Chinese": "Anna 李",
}


@dataclass(frozen=True)
class Run:
    script: str
    times_ms: list[float]  # CPU time (the machine is shared: wall time follows the neighbours' load)
    size: int

    @property
    def goal_ms(self) -> float:
        return LATIN_GOAL_MS if self.script == "Latin" else OTHER_GOAL_MS

    @property
    def median(self) -> float:
        return statistics.median(self.times_ms)

    @property
    def over(self) -> bool:
        return self.median > self.goal_ms or self.size > GOAL_KB * 1024


def measure(repeats: int) -> list[Run]:
    os.environ.setdefault("CERTIFICATE_FONTS_DIR", str(lambdas.FONTS_DIR))
    lambdas.prepare_process()
    from certtracker.certificates.document import CertificateContent, render

    runs = []
    for script, name in NAMES.items():
        content = CertificateContent(
            holder_name=name,
            credential_title="Certified Endpoint Protection Engineer",
            credential_kind="certification",
            program="CertTracker Certification Program",
            earned_on=date(2026, 3, 12),
            expires_on=date(2029, 3, 12),
            certificate_id="C-7Q2M-9XKD-41PA",
            verification_code="K7QM-2XWD-9PRT-HB4C",
            verification_url="https://portal.test/verify/K7QM2XWD9PRTHB4C",
        )
        pdf = render(content)  # the first render parses this script's fonts (once per container)
        times = []
        for _ in range(repeats):
            start = time.process_time()
            render(content)
            times.append((time.process_time() - start) * 1000)
        runs.append(Run(script, times, len(pdf)))
    return runs
