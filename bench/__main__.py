"""`make bench` (`python -m bench [--quick]`): prints the cold-import, gateway, page-budget and credential-evaluation
tables; exits 1 on a failure (a page over its budget is one, an evaluation over its goal another).

The cold imports are measured on the built artifacts (.aws-sam/build): `make bench` runs `make build` first
when a source is newer than the build.
"""

from __future__ import annotations

import argparse
import platform
import statistics
import sys
from collections.abc import Sequence

from bench import awards, certificates, cold_start, credentials, gateway_rps, pages, provisioning
from infra.template import ROOT


def table(headers: Sequence[str], rows: Sequence[Sequence[str]], left: int = 1) -> str:
    """A plain-text table: the first `left` columns aligned left, the numbers right."""
    widths = [max(len(str(cell)) for cell in column) for column in zip(headers, *rows, strict=True)]

    def line(cells: Sequence[str]) -> str:
        return "  ".join(
            cell.ljust(width) if i < left else cell.rjust(width)
            for i, (cell, width) in enumerate(zip(cells, widths, strict=True))
        ).rstrip()

    rule = "  ".join("-" * width for width in widths)
    return "\n".join([line(headers), rule, *(line(row) for row in rows)])


def cold_import_report(results: list[cold_start.Result], repeats: int, importtime_runs: int) -> tuple[str, bool]:
    floors = {result.target.name: result for result in results if result.target.floor == result.target.name}
    broken = [floor for floor in floors.values() if floor.error]
    if broken:
        return "\n".join(f"The floor handler {f.target.name} failed to import: {f.error}" for f in broken), False
    rows, failures = [], []
    for result in results:
        if result.error:
            failures.append(f"{result.target.name} failed to import: {result.error}")
            rows.append([result.target.name, "", "FAILED", "", "", "", "", "", "", "", "", ""])
            continue
        floor = floors[result.target.floor]
        ratio = result.median_ms / floor.median_ms
        paired = result.paired_ratio(floor.median_ms)
        is_floor = result.target.floor == result.target.name
        # Bound on the paired ratio (the same quantity, measured with a fraction of the noise), else the medians'.
        judged = paired if paired is not None else ratio
        over = result.target.waited and judged > cold_start.WAITED_BOUND
        if over:
            failures.append(
                f"{result.target.name}: {judged:.2f}x its floor, over the {cold_start.WAITED_BOUND:.2f}x bound"
            )
        rows.append(
            [
                result.target.name,
                "" if is_floor else ("b" if floor.target.name == cold_start.HTTP_FLOOR else "a"),
                f"{result.median_ms:.1f}",
                f"{min(result.times_ms):.1f}",
                f"{max(result.times_ms):.1f}",
                f"{statistics.median(result.wall_ms):.1f}",
                f"{statistics.median(result.above_ms):.1f}" if result.above_ms else "",
                f"{statistics.median(result.floor_only_ms):.1f}" if result.floor_only_ms else "",
                f"{ratio:.2f}",
                f"{paired:.2f}" if paired is not None else "",
                f"{result.median_ms / floors[cold_start.FLOOR].median_ms:.2f}",
                str(result.modules),
                "" if is_floor else ("OVER" if over else "ok") if result.target.waited else "reported",
            ]
        )
    heaviest = []
    for result in results:
        if result.error:
            continue
        packages = ", ".join(
            f"{name}{' (stdlib)' if name in sys.stdlib_module_names else ''} {ms:.1f}"
            + (f" via {via}" if via and via != "handler" else "")
            for name, ms, via in result.heaviest(5)
        )
        heaviest.append([result.target.name, packages])
    b_over_a = floors[cold_start.HTTP_FLOOR].median_ms / floors[cold_start.FLOOR].median_ms
    text = "\n".join(
        [
            f"Cold import of each handler module: median CPU time of {repeats} interleaved fresh processes (ms; the"
            f" wall-time median beside it), each against"
            f" its floor: a = {cold_start.FLOOR}, b = {cold_start.HTTP_FLOOR} (b/a = {b_over_a:.2f}). An HTTP"
            f" function is measured against b, any other against a; what a person waits for (the HTTP functions"
            f" and the authorizer) is bound to {cold_start.WAITED_BOUND:.2f}x its floor, the rest reported."
            " Paired, in one process each: 'adds' is the CPU ms its import takes after its floor's handler,"
            " 'floor only' the CPU ms the floor's handler takes after it (what the floor loads that it does"
            " without); 'paired' = 1 + (adds - floor only) / floor: the same ratio as 'x its floor', with far"
            " less of the machine's noise, so the bound is judged on it.",
            "",
            table(
                [
                    "function",
                    "floor",
                    "CPU ms",
                    "min",
                    "max",
                    "wall ms",
                    "adds",
                    "floor only",
                    "x its floor",
                    "paired",
                    "x a",
                    "modules",
                    "bound",
                ],
                rows,
            ),
            *failures,
            "",
            f"Heaviest top-level packages per function: ms in the package's own modules (median of "
            f"{importtime_runs} run(s) with -X importtime); 'via' names the package that imported most of it",
            "",
            table(["function", "top 5 packages"], heaviest, left=2),
        ]
    )
    return text, not failures


def gateway_report(runs: list[gateway_rps.Run]) -> tuple[str, bool]:
    rows = [
        [
            run.route,
            str(run.clients),
            str(run.requests),
            f"{run.per_second:.0f}",
            f"{run.p50:.1f}",
            f"{run.p95:.1f}",
            str(run.non_200),
        ]
        for run in runs
    ]
    text = "\n".join(
        [
            "Gateway on the local stack (through the authorizer where the route needs one; moto DynamoDB),"
            " keep-alive clients",
            "",
            table(["route", "clients", "requests", "req/s", "p50 ms", "p95 ms", "non-200"], rows),
        ]
    )
    return text, all(run.non_200 == 0 for run in runs)


def pages_report(loads: list[pages.PageLoad]) -> tuple[str, bool]:
    rows, failures = [], []
    for load in loads:
        verdict = "FAILED" if load.error else ("over" if load.over_budget else "ok")
        rows.append(
            [
                load.route.path,
                ", ".join(load.modules) or "-",
                str(load.requests),
                f"{load.bytes / 1024:.1f}",
                str(len(load.api_calls)),
                f"{load.api_bytes / 1024:.1f}",
                verdict,
            ]
        )
        if load.error:
            failures.append(f"{load.route.path}: {load.error}")
        if load.over_budget:
            failures.append(f"{load.route.path} is over the budget: {', '.join(load.over_budget)}")
    text = "\n".join(
        [
            f"Pages in headless Chromium, empty cache: requests and KB of HTML+CSS+JS before compression (budget "
            f"<= {pages.BUDGET_REQUESTS} requests, <= {pages.BUDGET_BYTES // 1024} KB), /api calls apart",
            "",
            table(["route", "page modules", "requests", "KB", "api calls", "api KB", "budget"], rows, left=2),
            *failures,
        ]
    )
    return text, not failures


def credentials_report(runs: list[credentials.Run]) -> tuple[str, bool]:
    rows = [
        [
            run.label,
            str(run.credentials),
            str(run.trees),
            f"{run.median:.3f}",
            f"{run.percentile(0.95):.3f}",
            f"{max(run.times_ms):.3f}",
        ]
        for run in runs
    ]
    seeded = runs[0]
    over = seeded.percentile(0.95) > credentials.GOAL_MS
    text = "\n".join(
        [
            f"Requirement evaluation: one candidate with {credentials.RESULTS} passed results against every "
            f"credential's requirement and recertification trees, {len(seeded.times_ms)} runs "
            f"(goal: p95 <= {credentials.GOAL_MS:.0f} ms for the seeded catalog)",
            "",
            table(["catalog", "credentials", "trees", "p50 ms", "p95 ms", "max ms"], rows),
            *([f"the seeded catalog's p95 is over {credentials.GOAL_MS:.0f} ms"] if over else []),
        ]
    )
    return text, not over


def certificates_report(runs: list[certificates.Run]) -> tuple[str, bool]:
    rows = [
        [
            run.script,
            f"{run.median:.1f}",
            f"{min(run.times_ms):.1f}",
            f"{max(run.times_ms):.1f}",
            f"{run.goal_ms:.0f}",
            f"{run.size / 1024:.1f}",
            "over" if run.over else "ok",
        ]
        for run in runs
    ]
    text = "\n".join(
        [
            f"Certificate PDFs, warm, in this process: CPU ms per render ({len(runs[0].times_ms)} renders per name; "
            f"goals: Latin <= {certificates.LATIN_GOAL_MS:.0f} ms, other scripts <= "
            f"{certificates.OTHER_GOAL_MS:.0f} ms, <= {certificates.GOAL_KB} KB)",
            "",
            table(["name's script", "p50 ms", "min", "max", "goal ms", "KB", "goal"], rows),
        ]
    )
    return text, not any(run.over for run in runs)


def provisioning_report(run: provisioning.Run) -> tuple[str, bool]:
    account_writes = run.writes_per_contact("TransactWriteItems", "AccountsTable", "PartnersTable")
    by_kind = [[kind, str(count), f"{count / max(1, run.contacts):.2f}"] for kind, count in sorted(run.writes.items())]
    found_all = set(run.dead_letters) == run.malformed_sent and len(run.dead_letters) == len(run.malformed_sent)
    checks = [
        (
            "DynamoDB write requests per contact for the account and contact",
            f"{account_writes:.2f}",
            account_writes <= provisioning.GOAL_WRITES,
        ),
        ("duplicates (extra accounts or welcome emails)", str(run.duplicates), run.duplicates == 0),
        (
            "malformed records in the dead-letter queue",
            f"{len(run.dead_letters)} of {len(run.malformed_sent)}",
            found_all,
        ),
        ("accounts", f"{run.accounts} for {run.contacts} valid contacts", run.accounts == run.contacts),
    ]
    text = "\n".join(
        [
            f"PartnerNet provisioning, in-process on moto: {run.contacts} valid contacts in {run.messages} messages "
            f"(5% twice, {len(run.malformed_sent)} malformed), {run.seconds:.1f} s: "
            f"{run.messages / run.seconds:.0f} messages/s; lag from the PartnerNet change to the account "
            f"p50 {run.percentile(0.5):.1f} s, p95 {run.percentile(0.95):.1f} s (all of it in the queue here)",
            "",
            table(
                ["check", "measured", "goal met"],
                [[name, value, "yes" if met else "NO"] for name, value, met in checks],
            ),
            "",
            "Write requests by operation and table (per contact): the set-password token, the email's sent mark and",
            "the per-recipient email counter come with the welcome email",
            "",
            table(["operation table", "requests", "per contact"], by_kind),
        ]
    )
    return text, all(met for _, _, met in checks)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="fewer repeats and requests: a fast check, not a figure")
    parser.add_argument("--repeats", type=int, help="fresh processes per function (default 7; quick 3)")
    parser.add_argument(
        "--requests", type=int, help="requests per route and concurrency level (default 2000; quick 200)"
    )
    parser.add_argument("--clients", default="1,4", help="concurrency levels, comma-separated (default 1,4)")
    parser.add_argument(
        "--only",
        choices=["cold", "gateway", "pages", "credentials", "awards", "certificates", "provisioning"],
        help="run one part only",
    )
    args = parser.parse_args(argv)
    repeats = args.repeats or (3 if args.quick else 7)
    importtime_runs = 1 if args.quick else 5
    total = args.requests or (200 if args.quick else 2000)
    client_counts = [int(count) for count in args.clients.split(",")]
    warmup = 20 if args.quick else 100

    print(f"Python {platform.python_version()} on {platform.machine()}, {platform.system()}", flush=True)
    if args.only in (None, "cold"):
        print("Layers: " + ", ".join(str(path.relative_to(ROOT)) for path in cold_start.LAYER_PATHS), flush=True)
    reports, ok = [], True
    if args.only in (None, "cold"):
        try:
            results = cold_start.measure(repeats, importtime_runs)
        except cold_start.NotBuilt as error:
            print(f"Cold import: {error}", file=sys.stderr)
            return 1
        text, passed = cold_import_report(results, repeats, importtime_runs)
        reports.append(text)
        ok &= passed
    if args.only in (None, "gateway"):
        text, passed = gateway_report(gateway_rps.measure(total, client_counts, warmup))
        reports.append(text)
        ok &= passed
    if args.only in (None, "pages"):
        try:
            text, passed = pages_report(pages.measure())
        except pages.NoBrowser as error:
            text, passed = f"Page budget: {error}", False
        reports.append(text)
        ok &= passed
    if args.only in (None, "credentials"):
        text, passed = credentials_report(credentials.measure(200 if args.quick else 2000))
        reports.append(text)
        ok &= passed
    if args.only in (None, "certificates"):
        text, passed = certificates_report(certificates.measure(10 if args.quick else 50))
        reports.append(text)
        ok &= passed
    if args.only in (None, "awards"):
        text, passed = awards.report(awards.measure())
        reports.append(text)
        ok &= passed
    if args.only in (None, "provisioning"):
        text, passed = provisioning_report(provisioning.measure(1000 if args.quick else provisioning.CONTACTS))
        reports.append(text)
        ok &= passed
    print("\n\n".join(["", *reports]))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
