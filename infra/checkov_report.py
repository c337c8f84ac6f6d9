"""`make checkov`: checkov's failed checks over the template, grouped by check id with their resources, held
against the README's "Static analysis" table, which says why each one stays failed.

A failure is explained when a row of that table (in README.md or a page of docs/) starts with its check id and
either names its resource or covers every resource of a kind ("every function"). The run exits 1 when a failure
is not explained, and names the rows that no longer match a failure, so the table cannot go stale unnoticed.
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import textwrap
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from infra.template import ROOT

# --skip-download: nothing is fetched (no guidelines, no policies from a platform), so the result is the pinned
# checkov's alone; --soft-fail: failed checks are this report's to judge.
OPTIONS = ["--framework", "cloudformation", "--skip-download", "--output", "json", "--soft-fail"]
TABLE = 'the "Static analysis" table of docs/deploying.md'
ROW = re.compile(r"^\|\s*(CKV2?_[A-Z0-9_]+)\b[^|]*\|([^|]*)\|")
IDENTIFIER = re.compile(r"\b[A-Z][A-Za-z0-9]+\b")


@dataclass(frozen=True)
class Failure:
    check_id: str
    check_name: str
    resource: str  # the logical id


def run_checkov(checkov: str, template: Path) -> tuple[dict[str, int | str], list[Failure]]:
    """checkov's summary and failed checks on the template, read from its JSON report."""
    completed = subprocess.run(
        [checkov, "--file", str(template), *OPTIONS],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    if completed.returncode != 0:
        sys.exit(f"checkov failed (exit status {completed.returncode}):\n{completed.stderr}")
    report = json.loads(completed.stdout)
    if isinstance(report, list):  # one report per framework
        (report,) = report
    failures = [
        Failure(check["check_id"], check["check_name"], check["resource"].split(".", 1)[-1])
        for check in report["results"]["failed_checks"]
    ]
    return report["summary"], failures


def explanations(root: Path = ROOT) -> dict[str, list[set[str] | None]]:
    """Per check id, the resources each row of the table names (None for a row that covers "every" resource
    of a kind)."""
    rows: dict[str, list[set[str] | None]] = defaultdict(list)
    for page in [root / "README.md", *sorted((root / "docs").glob("**/*.md"))]:
        for line in page.read_text("utf-8").splitlines():
            match = ROW.match(line)
            if match:
                check_id, resources = match.group(1), match.group(2).strip()
                named = None if resources.lower().startswith("every") else set(IDENTIFIER.findall(resources))
                rows[check_id].append(named)
    return rows


def unexplained(failures: list[Failure], rows: dict[str, list[set[str] | None]]) -> list[Failure]:
    return [
        failure
        for failure in failures
        if not any(named is None or failure.resource in named for named in rows.get(failure.check_id, []))
    ]


def table(failures: list[Failure]) -> list[str]:
    by_check: dict[str, list[Failure]] = defaultdict(list)
    for failure in failures:
        by_check[failure.check_id].append(failure)
    lines = []
    for check_id in sorted(by_check, key=lambda c: (-len(by_check[c]), c)):
        group = by_check[check_id]
        resources = ", ".join(sorted({f.resource for f in group}))
        lines.append(f"{check_id}  ({len(group)})  {group[0].check_name}")
        lines.extend(textwrap.wrap(resources, width=110, initial_indent="    ", subsequent_indent="    "))
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--checkov", default="checkov", help="the checkov executable (make checkov: .venv-checkov's)")
    parser.add_argument("template", type=Path, nargs="?", default=ROOT / "template.yaml")
    args = parser.parse_args(argv)
    summary, failures = run_checkov(args.checkov, args.template)
    print(
        f"checkov {summary.get('checkov_version', '?')} on {args.template.name}: {summary['passed']} passed, "
        f"{summary['failed']} failed ({len({f.check_id for f in failures})} checks), "
        f"{summary['skipped']} skipped, {summary['parsing_errors']} parsing errors"
    )
    print()
    print("\n".join(table(failures)))
    rows = explanations()
    missing = unexplained(failures, rows)
    stale = sorted(set(rows) - {f.check_id for f in failures})
    if stale:
        print(f"\nRows of {TABLE} for checks that no longer fail: {', '.join(stale)}")
    if missing:
        print(f"\nFailed checks {TABLE} does not explain:")
        for failure in missing:
            print(f"    {failure.check_id} {failure.resource}: {failure.check_name}")
        return 1
    print(f"\nEvery failed check is explained in {TABLE}.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
