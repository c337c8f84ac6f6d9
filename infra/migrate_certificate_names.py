"""Settle certificates issued in several names for one award: `python -m infra.migrate_certificate_names
[--dry-run] [--keep CERTIFICATE_ID ...]`.

Before awards kept the name they were earned under, a candidate who changed their profile's name and asked again
got another certificate, and every one of them verified as valid. This one-off command reads every certificate
(a scan of CERTIFICATES_TABLE: an operator's command, never a request path) and, for each award with more than
one certificate in force, keeps one current (the earliest, or the one whose id is given with --keep, as the
Program Support Team decides) and marks the others superseded; the award takes the kept certificate's name
(`certtracker.certificates.issuing.keep_one_current`). It is idempotent: a second run finds nothing to do. What it
prints names certificates and candidates by id, never by name. Set CERTIFICATES_TABLE and CREDENTIAL_AWARDS_TABLE
to the stack's tables (AWS credentials for its account); exit 2 when one is missing or a --keep cannot be kept.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

# Run as a command from a clone, the layer is not on the path yet (under pytest and the local stack it is).
LAYER_PATH = str(Path(__file__).resolve().parent.parent / "layers" / "common" / "python")
if LAYER_PATH not in sys.path:
    sys.path.insert(0, LAYER_PATH)

REFUSED = 2
TABLES = ("CERTIFICATES_TABLE", "CREDENTIAL_AWARDS_TABLE")


@dataclass
class Report:
    awards: int = 0  # awards with at least one certificate
    settled: list[str] = field(default_factory=list)  # "<account>/<award key>: kept C-…, superseded C-…, …"
    refused: list[str] = field(default_factory=list)

    def summary(self, *, dry_run: bool) -> str:
        lines = [
            f"{self.awards} awards with certificates; {len(self.settled)} settled"
            + (" (dry run: nothing written)" if dry_run else "")
        ]
        lines += [f"  {line}" for line in self.settled]
        lines += [f"  refused: {line}" for line in self.refused]
        return "\n".join(lines)


def migrate(*, keep: Sequence[str] = (), dry_run: bool = False) -> Report:
    from certtracker.certificates import issuing
    from certtracker.core import clock
    from certtracker.credentials import standing
    from certtracker.models.certificates import CERTIFICATE_PREFIX, Certificate
    from certtracker.models.credential_awards import CredentialAward

    now = clock.now()
    by_award: dict[tuple[str, str], list[Certificate]] = {}
    for certificate in Certificate.scan(Certificate.sk.startswith(CERTIFICATE_PREFIX)):
        by_award.setdefault((certificate.pk, certificate.award_sk), []).append(certificate)
    report = Report(awards=len(by_award))
    chosen = set(keep)
    for (account_id, award_sk), certificates in sorted(by_award.items()):
        try:
            award = CredentialAward.get(account_id, award_sk, consistent_read=True)
        except CredentialAward.DoesNotExist:
            continue  # its holder was erased meanwhile: erasure deletes the certificates too
        mine = [certificate.certificate_id for certificate in certificates]
        kept = next((certificate_id for certificate_id in mine if certificate_id in chosen), None)
        chosen.discard(kept or "")
        in_force = [c for c in certificates if standing.certificate_ended(c.status) is None]
        if dry_run:
            if len(in_force) > 1:
                first = kept or min(in_force, key=lambda c: c.created_at).certificate_id
                others = ", ".join(c.certificate_id for c in in_force if c.certificate_id != first)
                report.settled.append(f"{account_id}/{award_sk}: would keep {first}, supersede {others}")
            continue
        try:
            superseded = issuing.keep_one_current(award, certificates, keep=kept, now=now)
        except ValueError as refusal:
            report.refused.append(f"{account_id}/{award_sk}: {refusal}")
            continue
        if superseded:
            current = next(c.certificate_id for c in in_force if c not in superseded)
            others = ", ".join(c.certificate_id for c in superseded)
            report.settled.append(f"{account_id}/{award_sk}: kept {current}, superseded {others}")
    report.refused += [f"{certificate_id}: no such certificate" for certificate_id in sorted(chosen)]
    return report


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m infra.migrate_certificate_names", description=__doc__.splitlines()[0]
    )
    parser.add_argument("--dry-run", action="store_true", help="print what would change; write nothing")
    parser.add_argument(
        "--keep",
        action="append",
        default=[],
        metavar="CERTIFICATE_ID",
        help="keep this certificate current for its award instead of the earliest (repeatable)",
    )
    args = parser.parse_args(argv)
    missing = [name for name in TABLES if not os.environ.get(name)]
    if missing:
        print(f"Set {' and '.join(missing)} to the stack's table names.", file=sys.stderr)
        return REFUSED
    report = migrate(keep=args.keep, dry_run=args.dry_run)
    print(report.summary(dry_run=args.dry_run))
    return REFUSED if report.refused else 0


if __name__ == "__main__":
    sys.exit(main())
