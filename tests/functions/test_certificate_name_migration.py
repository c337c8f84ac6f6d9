"""`python -m infra.migrate_certificate_names`: certificates issued in several names for one award before awards
kept a name (John Smith, Maria Garcia, Elon Musk, all valid) are settled to one current certificate, the earliest
or the staff's choice; the rest verify as superseded; a second run changes nothing."""

from __future__ import annotations

from certtracker.certificates import issuing, records
from certtracker.core import clock
from certtracker.models.certificates import Certificate, certificate_key
from certtracker.models.credential_awards import CredentialAward
from infra import migrate_certificate_names as migration
from tests.functions.test_certificates import grant, owner_of, request
from tests.functions.test_name_changes import verify

NAMES = ("John Smith", "Maria Garcia", "Elon Musk")


def issued_in_three_names(owner: str) -> list[Certificate]:
    """What the old request path left: one certificate per profile name, each with its code, each in force."""
    grant(owner, legacy=True)
    [award] = CredentialAward.query(owner)
    made = []
    for name in NAMES:
        sk = certificate_key(award.award_id, records.name_digest(name))
        certificate = issuing._reserve(owner, sk, award, name, clock.now())
        assert certificate is not None
        certificate.update(actions=[Certificate.status.set("ready")])
        made.append(certificate)
        clock.advance(60)
    return made


def test_the_earliest_certificate_stays_current_and_the_others_are_superseded_once(api, candidate, capsys) -> None:
    owner = owner_of(api, candidate)
    made = issued_in_three_names(owner)
    assert [verify(api, c.verification_code)["status"] for c in made] == ["valid"] * 3

    assert migration.main(["--dry-run"]) == 0
    assert "would keep " + made[0].certificate_id in capsys.readouterr().out
    assert [verify(api, c.verification_code)["status"] for c in made] == ["valid"] * 3

    assert migration.main([]) == 0
    printed = capsys.readouterr().out
    assert f"kept {made[0].certificate_id}, superseded {made[1].certificate_id}, {made[2].certificate_id}" in printed
    assert not any(name in printed for name in NAMES)  # ids only
    statuses = [verify(api, c.verification_code) for c in made]
    assert [answer["status"] for answer in statuses] == ["valid", "superseded", "superseded"]
    assert statuses[0]["holder_name"] == "John Smith"
    assert all(answer["superseded_at"] for answer in statuses[1:])
    answer = request(api, candidate)
    assert (answer.status, answer.json()["certificate_id"]) == (200, made[0].certificate_id)

    assert migration.main([]) == 0
    assert "0 settled" in capsys.readouterr().out


def test_the_staff_may_keep_another_one_and_the_award_takes_its_name(api, candidate, capsys) -> None:
    owner = owner_of(api, candidate)
    made = issued_in_three_names(owner)
    assert migration.main(["--keep", made[1].certificate_id]) == 0
    statuses = [verify(api, c.verification_code)["status"] for c in made]
    assert statuses == ["superseded", "valid", "superseded"]
    [award] = CredentialAward.query(owner)
    assert award.holder_name == "Maria Garcia"
    assert request(api, candidate).json()["certificate_id"] == made[1].certificate_id


def test_an_unknown_certificate_to_keep_or_missing_tables_are_refused(api, candidate, capsys, monkeypatch) -> None:
    issued_in_three_names(owner_of(api, candidate))
    assert migration.main(["--keep", "C-AAAA-AAAA-AAAA"]) == migration.REFUSED
    assert "C-AAAA-AAAA-AAAA: no such certificate" in capsys.readouterr().out
    monkeypatch.delenv("CERTIFICATES_TABLE")
    assert migration.main([]) == migration.REFUSED
