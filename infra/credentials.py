"""Load the credential catalog into a stack's catalog table: `python -m infra.credentials load FILE [--dry-run]`.

The one way the credential catalog gets into a table, for the local stack (`infra/seed.py`) and a deployed
one (CATALOG_TABLE set to its table's name, LOGOS_BUCKET to its logo bucket's, AWS credentials for its
account). The document is validated
against the exam catalog already in the table; a refused document writes nothing and exits 2. An accepted
one replaces the previous version's items (written in a batch), draws each credential's logo (SVG and PNG,
`infra/logos.py`) into the logo bucket, and the command prints what changed.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

# Run as a command from a clone, the layer is not on the path yet (under pytest and the local stack it is).
LAYER_PATH = str(Path(__file__).resolve().parent.parent / "layers" / "common" / "python")
if LAYER_PATH not in sys.path:
    sys.path.insert(0, LAYER_PATH)

if TYPE_CHECKING:
    from certtracker.credentials.catalog import CredentialCatalog

SEED_DOCUMENT = Path(__file__).parent / "seed_data" / "credentials.json"
REFUSED = 2


@dataclass
class Changes:
    previous_version: str | None
    version: str
    added: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    logos: int = 0  # logo files written

    def summary(self, *, dry_run: bool) -> str:
        lines = [
            f"credential catalog {self.previous_version or '(none)'} → {self.version}"
            + (" (dry run: nothing written)" if dry_run else "")
        ]
        for label, ids in (("added", self.added), ("changed", self.changed), ("removed", self.removed)):
            if ids:
                lines.append(f"  {label:9} {', '.join(ids)}")
        lines.append(f"  unchanged {len(self.unchanged)}")
        if self.logos:
            lines.append(f"  logos     {self.logos} files written")
        return "\n".join(lines)


def read_document(path: Path) -> object:
    try:
        return json.loads(path.read_text("utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as problem:
        from certtracker.credentials.catalog import InvalidCatalog

        raise InvalidCatalog([f"{path} cannot be read as UTF-8 JSON: {problem}"]) from None


def validate_against_table(document: object) -> CredentialCatalog:
    """The document checked against the exam catalog in the table (its exam ids and tracks)."""
    from certtracker.credentials import catalog
    from certtracker.models.catalog import EXAMS_PARTITION, CatalogExam

    exams = list(CatalogExam.query(EXAMS_PARTITION))
    return catalog.validate(document, {exam.exam_id for exam in exams}, {exam.track for exam in exams})


def load(document: object, *, dry_run: bool = False, logos_bucket: str | None = None) -> Changes:
    """Validate, then replace the table's credentials with the document's. `InvalidCatalog` writes nothing."""
    from certtracker.credentials import catalog
    from certtracker.models.catalog import CREDENTIALS_PARTITION, CatalogCredential

    validated = validate_against_table(document)
    existing = {item.credential_id: item for item in CatalogCredential.query(CREDENTIALS_PARTITION)}
    versions = sorted({item.catalog_version for item in existing.values()})
    changes = Changes(", ".join(versions) or None, validated.version)
    items = [catalog.to_item(credential, validated.version) for credential in validated.credentials]
    for item in items:
        before = existing.get(item.credential_id)
        if before is None:
            changes.added.append(item.credential_id)
        elif _definition(before) != _definition(item):
            changes.changed.append(item.credential_id)
        else:
            changes.unchanged.append(item.credential_id)
    changes.removed = sorted(set(existing) - {item.credential_id for item in items})
    if not dry_run:
        with CatalogCredential.batch_write() as batch:
            for item in items:
                batch.save(item)  # the version moves on every item, changed or not
            for credential_id in changes.removed:
                batch.delete(existing[credential_id])
        if logos_bucket:
            import boto3

            from infra import logos

            # Every credential's, changed or not: a logo is cheap to draw, and a stack that never had one gets it.
            changes.logos = len(logos.upload(boto3.client("s3"), logos_bucket, list(validated.credentials)))
    return changes


def _definition(item: object) -> dict[str, object]:
    from certtracker.models.catalog import CatalogCredential

    assert isinstance(item, CatalogCredential)
    values = item.attribute_values.copy()
    values.pop("catalog_version", None)
    return values


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m infra.credentials", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    loading = commands.add_parser("load", help="validate a credential catalog document and write it to CATALOG_TABLE")
    loading.add_argument("file", type=Path)
    loading.add_argument("--dry-run", action="store_true", help="validate and print the changes; write nothing")
    args = parser.parse_args(argv)

    if not os.environ.get("CATALOG_TABLE"):
        print("Set CATALOG_TABLE to the name of the stack's catalog table (its CatalogTable).", file=sys.stderr)
        return REFUSED

    logos_bucket = os.environ.get("LOGOS_BUCKET")
    if not logos_bucket and not args.dry_run:
        print("Set LOGOS_BUCKET to the name of the stack's logo bucket (its LogosBucket).", file=sys.stderr)
        return REFUSED

    from certtracker.credentials.catalog import InvalidCatalog

    try:
        changes = load(read_document(args.file), dry_run=args.dry_run, logos_bucket=logos_bucket)
    except InvalidCatalog as refused:
        print(refused, file=sys.stderr)
        return REFUSED
    print(changes.summary(dry_run=args.dry_run))
    return 0


if __name__ == "__main__":
    sys.exit(main())
