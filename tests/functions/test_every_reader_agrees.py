"""Every reader agrees with the one standing (issue 21): random histories of one candidate (passes, renewals, lapses,
revocations and reinstatements by the staff, certificates, shares, badges, the daily reconciliation, a clock moved by
days to years, and erasure at the end), and after every step each page the candidate or the public sees says what
certtracker.credentials.standing says of the cycles in the table.

Readers, through the in-process gateway: /me/credentials, /me/progress, /me/plan, /me/logos, the partner report,
/verify/{code} and the download of each certificate, each share's page, the published badge status lists, and
/me/export before erasure. Invariants of the table: no result earns two cycles of a credential; a revoked
credential has no unexpired cycle left standing; nothing counts that stood only on a revoked cycle.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from hypothesis import HealthCheck, given, note, settings
from hypothesis import strategies as st

from certtracker.certificates import badges, records
from certtracker.core import clock
from certtracker.credentials import awards, standing
from certtracker.credentials.catalog import Credential, all_credentials
from certtracker.credentials.facts import cycles_by_credential, passed_results, used_results
from certtracker.credentials.requirements import AllOf, AnyOf, CredentialRequirement, ExamRequirement, Node, NOf
from certtracker.credentials.revocation import stood_only_on
from certtracker.exams import catalog as exam_catalog
from certtracker.models.accounts import Account
from certtracker.models.credential_awards import ANONYMIZED_PARTITION, STATUS_LIST_SIZE, CredentialAward
from infra.gateway import Gateway, GatewayResponse
from tests.depth import examples
from tests.functions.conftest import PASSWORD, Api, Mailbox, make_candidate
from tests.functions.test_award_reconciliation import run as run_reconciliation
from tests.functions.test_partner_credit import join
from tests.functions.test_program_staff import REVOKE, STAFF
from tests.functions.test_revocation_and_cycles import passes
from tests.functions.test_shares import link_token

DAY = 86_400
# Twelve were enough to find each defect of issue 21 when it was put back (about a minute on one core, see the end of
# the module): `make test` tries six (the same six every run: derandomized), `make test-deep` twenty-four.
EXAMPLES = examples(quick=6, deep=24)
MIN_STEPS = 7
MAX_STEPS = 15
# The seed catalog's exams that make its shapes: a prerequisite (ASM-DLP-101 earns ACC-DLP, which CERT-DLP needs),
# two of five certifications for PRO-SEC (250-580, 250-586, 250-587), validities of 12, 24 and 36 months.
EXAMS = ("ASM-DLP-101", "250-587", "250-580", "250-586")
PARTNER = "P-1001"
COUNTING = ("earned", "expiring")
# How the public pages word a standing: what is expiring is still valid.
VERIFIED = {"expiring": "valid"}
SHARED = {"earned": "valid", "expiring": "valid"}

_people = itertools.count(1)
_results = itertools.count(1)
_addresses = itertools.count(1)


# ---------------------------------------------------------------------------------------------- the events
# A credential is picked by its place among those the step can apply to, newest award first (the staff most often
# revoke what was just earned; a renewal or a lapse most often follows an award), so that every step of a random
# history does something; the note printed with a failing history names it.


@dataclass(frozen=True)
class Pass:
    exam_id: str


@dataclass(frozen=True)
class Advance:
    days: int


@dataclass(frozen=True)
class Lapse:
    """The clock moves to the day after a credential held expires."""

    pick: int


@dataclass(frozen=True)
class Renew:
    """The clock moves into a credential's renewal window (if it is not there yet); what renews it is passed."""

    pick: int


@dataclass(frozen=True)
class Revoke:
    pick: int


@dataclass(frozen=True)
class Reinstate:
    pick: int


@dataclass(frozen=True)
class Show:
    """The candidate asks for a credential's certificate and its badge, and shares it for 90 days."""

    pick: int


@dataclass(frozen=True)
class Reconcile:
    pass


# TODO(name changes): once `approve_name_change` lands (another engineer is adding name-change requests), add an
# event ApproveNameChange: the candidate asks for a corrected name and the team approves it; `check` then expects
# each old certificate "superseded" (standing.of_certificate) on /verify, and the new one as its cycle stands.
type Event = Pass | Advance | Lapse | Renew | Revoke | Reinstate | Show | Reconcile

# The first in that order most often.
picks = st.sampled_from([0, 0, 1, 2])


def weighted(strategy: Callable[[], st.SearchStrategy[Event]], weight: int) -> list[st.SearchStrategy[Event]]:
    """`weight` branches of one_of (distinct strategies: one_of keeps one of the same strategy given twice)."""
    return [strategy() for _ in range(weight)]


# What makes and unmakes standing comes up most.
events: st.SearchStrategy[Event] = st.one_of(
    *weighted(lambda: st.builds(Pass, st.sampled_from(EXAMS)), 3),
    *weighted(lambda: st.builds(Revoke, picks), 5),
    *weighted(lambda: st.builds(Renew, picks), 4),
    st.builds(Lapse, picks),
    st.builds(Advance, st.integers(1, 1500)),
    st.builds(Reinstate, picks),
    st.builds(Show, picks),
    st.builds(Reconcile),
)


# ---------------------------------------------------------------------------------------------- helpers


def exams_to_renew(node: Node) -> list[str]:
    """A bookable version of each exam a recertification tree names (its credential nodes need no exam)."""
    match node:
        case ExamRequirement(exam_ids):
            return [next(exam_id for exam_id in exam_ids if exam_catalog.bookable(exam_id))]
        case CredentialRequirement():
            return []
        case AllOf(children) | AnyOf(children) | NOf(_, children):
            return [exam_id for child in children for exam_id in exams_to_renew(child)]
    raise TypeError(node)


def every_way_needs_one_of(
    node: Node, revoked: set[str], counting: set[str], trees: dict[str, Node], seen: frozenset[str] = frozenset()
) -> bool:
    """Whether no way to meet `node` avoids a revoked credential, worked out afresh from the catalog's trees (every
    exam node of the seed has a bookable version): what the plan's `blocked_by` must say."""
    match node:
        case ExamRequirement():
            return False
        case CredentialRequirement(credential_id):
            if credential_id in revoked:
                return True
            if credential_id in counting or credential_id in seen:
                return False
            return every_way_needs_one_of(trees[credential_id], revoked, counting, trees, seen | {credential_id})
        case AllOf(children):
            return any(every_way_needs_one_of(child, revoked, counting, trees, seen) for child in children)
        case AnyOf(children):
            return all(every_way_needs_one_of(child, revoked, counting, trees, seen) for child in children)
        case NOf(count, children):
            open_ways = sum(not every_way_needs_one_of(child, revoked, counting, trees, seen) for child in children)
            return open_ways < count
    raise TypeError(node)


def met_with(node: Node, exams: set[str], held: set[str]) -> bool:
    match node:
        case ExamRequirement(exam_ids):
            return bool(exams & set(exam_ids))
        case CredentialRequirement(credential_id):
            return credential_id in held
        case AllOf(children):
            return all(met_with(child, exams, held) for child in children)
        case AnyOf(children):
            return any(met_with(child, exams, held) for child in children)
        case NOf(count, children):
            return sum(met_with(child, exams, held) for child in children) >= count
    raise TypeError(node)


def could_earn(
    credential_id: str, exams: set[str], counting: set[str], revoked: set[str], trees: dict[str, Node]
) -> bool:
    """Whether `exams` passed (with every exam passed before, freshness aside: more than the award allows) would
    earn `credential_id`, each credential they complete counting toward the next; a revoked one is never earned
    again. What the plan offers must pass this."""
    held = set(counting)
    while earned := {c for c, tree in trees.items() if c not in held | revoked and met_with(tree, exams, held)}:
        held |= earned
    return credential_id in held


# ---------------------------------------------------------------------------------------------- one history


class History:
    """One candidate, the events of one example, and what every reader must say after each."""

    def __init__(self, api: Api, mail: Mailbox) -> None:
        self.api, self.mail = api, mail
        clock.advance(10 * DAY)  # well past the last example's reconciliation window
        n = next(_people)
        self.who = make_candidate(api, mail, f"holder{n}", f"holder{n}@example.org")
        self.owner = api.call("GET", "/me", token=self.who["token"]).json()["account_id"]
        join(self.owner, PARTNER, manager=True)  # the partner report then shows this candidate to this candidate
        self.catalog: dict[str, Credential] = {c.credential_id: c for c in all_credentials()}
        self.trees = {credential_id: credential.requirements for credential_id, credential in self.catalog.items()}
        self.status: dict[str, awards.Status] = {}  # each credential's latest cycle, as the table has it
        self.earned: dict[str, datetime] = {}  # and when it was earned
        self.passed: set[str] = set()  # the exams passed
        self.certificates: list[tuple[str, str]] = []  # (certificate id, verification code) issued
        self.shares: list[tuple[str, datetime]] = []  # (link token, expiry)
        self.erased = False
        self.kept_badges: dict[int, bool] = {}  # at erasure: status list index -> revoked

    def leave_the_partner(self) -> None:
        """So that the next candidates' partner report does not list this one."""
        if not self.erased:
            Account(pk=Account.key(self.owner)).update(
                actions=[Account.partner_id.remove(), Account.partner_manager.remove()]
            )

    # ------------------------------------------------------------------ what the candidate and the staff do

    def held(self, *statuses: str) -> list[str]:
        return sorted(credential_id for credential_id, status in self.status.items() if status in statuses)

    def pick(self, pick: int, *statuses: str) -> str | None:
        """The `pick`-th (cyclically) credential whose latest cycle is in one of `statuses` (any), newest first."""
        choices = sorted(
            (c for c, status in self.status.items() if status in statuses or not statuses),
            key=lambda c: (-self.earned[c].timestamp(), c),
        )
        return choices[pick % len(choices)] if choices else None

    def latest(self, credential_id: str) -> CredentialAward:
        return cycles_by_credential(awards.awards_of(self.owner, consistent=True))[credential_id][-1]

    def later(self, seconds: float) -> None:
        """Move the clock; the session has ended by then, so sign in again."""
        clock.advance(seconds)
        login = self.api.login(self.who["username"])
        assert login.status == 200, login.body
        self.who["token"] = login.json()["token"]

    def staff(self, **operation: Any) -> dict[str, Any]:
        answer = self.api.gateway.functions["ProgramStaffFunction"].invoke(
            {"username": self.who["username"], **operation}
        )
        assert isinstance(answer, dict)
        return answer

    def run(self, event: Event) -> bool:
        """Carry out one event; False if it applied to nothing (no credential to pick), which changed nothing."""
        match event:
            case Pass(exam_id):
                note(f"pass {exam_id}")
                passes(self.api, self.who, exam_id, f"r-{next(_results)}")
            case Advance(days):
                note(f"{days} days later")
                self.later(days * DAY)
            case Lapse(pick):
                if (credential_id := self.pick(pick, *COUNTING)) is None:
                    return False
                note(f"{credential_id} lapses")
                self.later((self.latest(credential_id).expires_at - clock.now()).total_seconds() + DAY)
            case Renew(pick):
                if (credential_id := self.pick(pick, *COUNTING)) is None:
                    return False
                note(f"renew {credential_id}")
                self.renew(self.catalog[credential_id])
            case Revoke(pick):
                if (credential_id := self.pick(pick, *COUNTING, "expired")) is None:
                    return False
                note(f"the staff revoke {credential_id}")
                answer = self.staff(operation="revoke", credential_id=credential_id, **REVOKE)
                assert (answer["ok"], answer["changed"]) == (True, True), answer
            case Reinstate(pick):
                if (credential_id := self.pick(pick, "revoked")) is None:
                    return False
                note(f"the staff reinstate {credential_id}")
                answer = self.staff(operation="reinstate", credential_id=credential_id, **STAFF)
                # What was withdrawn with a prerequisite comes back only with it.
                assert answer["ok"] or answer["error"]["code"] == "revoked_through_prerequisite", answer
            case Show(pick):
                if (credential_id := self.pick(pick)) is None:
                    return False
                note(f"the candidate asks for the certificate and the badge of {credential_id}, and shares it")
                self.show(credential_id)
            case Reconcile():
                note("the daily reconciliation runs")
                assert run_reconciliation(self.api.gateway)["finished"]
        return True

    def renew(self, credential: Credential) -> None:
        window_opens = self.latest(credential.credential_id).expires_at - timedelta(
            days=credential.recertification.renewal_window_days
        )
        if clock.now() < window_opens:
            self.later((window_opens - clock.now()).total_seconds() + DAY)
        for exam_id in exams_to_renew(credential.recertification.requirements):
            passes(self.api, self.who, exam_id, f"r-{next(_results)}")

    def show(self, credential_id: str) -> None:
        """Only what counts gets a certificate or a badge; anything held but revoked can be shared."""
        counts, token = self.status[credential_id] in COUNTING, self.who["token"]
        answer = self.api.call("POST", "/me/certificates", {"credential_id": credential_id}, token=token)
        assert answer.status in ((200, 201) if counts else (409,)), answer.body
        if counts and (made := (answer.json()["certificate_id"], answer.json()["verification_code"])):
            self.certificates += [made] if made not in self.certificates else []
        answer = self.api.call("GET", f"/me/credentials/{credential_id}/badge", token=token)
        assert answer.status == (200 if counts else 404), answer.body
        recipient = f"employer{next(_addresses)}@example.com"
        body = {"recipient_email": recipient, "credential_ids": [credential_id], "expires_in_days": 90}
        answer = self.api.call("POST", "/me/shares", body, token=token)
        assert answer.status == (409 if self.status[credential_id] == "revoked" else 201), answer.body
        if answer.status == 201:
            self.shares.append((link_token(self.mail, recipient), clock.now() + timedelta(days=90)))

    def erase(self) -> None:
        """The candidate exports their data (every cycle as the table has it: the export's many queries are why it is
        read here only), then erases their account."""
        award_list = awards.awards_of(self.owner, consistent=True)
        exported = self.get("/me/export")
        assert sorted((c["credential_id"], c["cycle"], c["revoked"]) for c in exported["credentials"]) == sorted(
            (award.credential_id, int(award.cycle), bool(award.revoked)) for award in award_list
        ), "/me/export"
        self.kept_badges = {int(a.status_index): bool(a.revoked) for a in award_list if a.status_index is not None}
        note("the candidate erases their account")
        answer = self.api.call("DELETE", "/me", {"password": PASSWORD}, token=self.who["token"])
        assert answer.status == 204, answer.body
        self.erased = True

    # ------------------------------------------------------------------ what every reader says

    def read(self, path: str, *, signed_in: bool = True) -> GatewayResponse:
        """A page, as the candidate (or, not `signed_in`, anyone) sees it. Straight to the gateway: a read queues
        nothing for the test's queue feeder to deliver."""
        headers = {"Authorization": f"Bearer {self.who['token']}"} if signed_in else {}
        return self.api.gateway.handle("GET", path, headers, None, source_ip=self.api.source_ip)

    def get(self, path: str) -> Any:
        answer = self.read(path)
        assert answer.status == 200, (path, answer.body)
        return answer.json()

    def check(self) -> None:
        """Every reader against the standing of the cycles in the table, now."""
        self.api.source_ip = f"10.0.{next(_addresses) % 250}.7"  # the public routes are limited per address
        now = clock.now()
        if self.erased:
            self.check_after_erasure(now)
            return
        award_list = awards.awards_of(self.owner, consistent=True)
        cycles = cycles_by_credential(award_list)
        self.status = {credential_id: awards.status_of(own[-1], now) for credential_id, own in cycles.items()}
        self.earned = {credential_id: own[-1].earned_at for credential_id, own in cycles.items()}
        self.check_the_table(award_list, cycles, now)
        self.check_the_candidates_pages()
        self.check_the_certificates({award.sk: award for award in award_list}, now)
        self.check_the_shares(now)
        self.check_the_status_lists(
            {int(a.status_index): bool(a.revoked) for a in award_list if a.status_index is not None}
        )

    def check_the_table(
        self, award_list: list[CredentialAward], cycles: dict[str, list[CredentialAward]], now: datetime
    ) -> None:
        for credential_id, own in cycles.items():
            counted: set[str] = set()
            for cycle in own:
                used = used_results([cycle])
                assert not used & counted, f"{credential_id} cycle {cycle.cycle} counts a result an earlier one counted"
                counted |= used
            if own[-1].revoked:
                standing_still = [int(c.cycle) for c in own if not c.revoked and c.expires_at > now]
                assert not standing_still, f"{credential_id} is revoked, but not its unexpired cycles {standing_still}"
        revoked = {award.sk: award for award in award_list if award.revoked}
        results = passed_results(self.owner, consistent=True)
        self.passed = {result.exam_id for result in results}
        for award in award_list:
            if standing.counts(standing.of_cycle(award, now)):
                stands_on_revoked = stood_only_on(award, revoked, cycles, award_list, results, now)
                assert not stands_on_revoked, f"{award.credential_id} cycle {award.cycle} counts, standing on revoked"

    def check_the_candidates_pages(self) -> None:
        status = self.status
        counting, revoked = set(self.held(*COUNTING)), set(self.held("revoked"))
        held = {entry["credential_id"]: entry["status"] for entry in self.get("/me/credentials")["credentials"]}
        assert held == status, "/me/credentials"

        progress = {entry["credential_id"]: entry for entry in self.get("/me/progress")["credentials"]}
        assert set(progress) == set(self.catalog)
        for credential_id, entry in progress.items():
            expected = status.get(credential_id)
            assert entry["status"] in ((expected,) if expected else ("not_started", "in_progress")), (
                f"/me/progress: {credential_id}"
            )
            if expected in (*COUNTING, "revoked"):
                assert entry["blocked_by"] is None, f"/me/progress: {credential_id} is held"

        steps = {step["credential_id"]: step for step in self.get("/me/plan")["steps"]}
        assert set(steps) == set(self.catalog) - counting - revoked, "/me/plan plans what is not held"
        for credential_id, step in steps.items():
            assert step["status"] == progress[credential_id]["status"], f"/me/plan: {credential_id}"
            assert step["blocked_by"] == progress[credential_id]["blocked_by"], f"/me/plan: {credential_id}"
            blocked = every_way_needs_one_of(self.trees[credential_id], revoked, counting, self.trees)
            assert (step["blocked_by"] is not None) == blocked, f"/me/plan: is {credential_id} blocked?"
            if step["blocked_by"] is not None:
                assert step["blocked_by"] in revoked, f"/me/plan: {credential_id} blocked by {step['blocked_by']}"
                assert step["exams"] == [], f"/me/plan offers exams for {credential_id}, blocked"
            elif step["bookable"]:
                planned = {exam["exam_id"] for exam in step["exams"]}
                assert could_earn(credential_id, self.passed | planned, counting, revoked, self.trees), (
                    f"/me/plan: passing {sorted(planned)} would not earn {credential_id}"
                )

        logos = {logo["credential_id"] for logo in self.get("/me/logos")["logos"]}
        assert logos == counting, "/me/logos"

        report = self.get(f"/partners/{PARTNER}/credentials")
        (me,) = [employee for employee in report["employees"] if employee["username"] == self.who["username"]]
        assert {c["credential_id"]: c["status"] for c in me["credentials"]} == status, "the partner report"

    def check_the_certificates(self, by_key: dict[str, CredentialAward], now: datetime) -> None:
        stored = records.certificates_of(self.owner)
        assert {c.certificate_id for c in stored} == {certificate_id for certificate_id, _ in self.certificates}
        for certificate in stored:
            found = standing.of_certificate(certificate.status, by_key.get(certificate.award_sk), now)
            what = f"the certificate of {certificate.credential_id} cycle {certificate.cycle}"
            verified = self.read(f"/verify/{certificate.verification_code}", signed_in=False)
            assert verified.status == 200, verified.body
            assert verified.json()["status"] == VERIFIED.get(found, found), f"/verify of {what}"
            download = self.read(f"/me/certificates/{certificate.certificate_id}/download")
            assert download.status == (409 if found == "revoked" else 302), (f"the download of {what}", download.body)

    def check_the_shares(self, now: datetime) -> None:
        for token, expires_at in self.shares:
            page = self.read(f"/shares/{token}", signed_in=False)
            if expires_at <= now:
                assert page.status == 410, page.body
                continue
            assert page.status == 200, page.body
            for shown in page.json()["credentials"]:
                expected = self.status[shown["credential_id"]]
                assert shown["status"] == SHARED.get(expected, expected), f"a share of {shown['credential_id']}"

    def check_the_status_lists(self, revoked_by_index: dict[int, bool]) -> None:
        by_list: dict[int, list[int]] = {}
        for index in revoked_by_index:
            by_list.setdefault(index // STATUS_LIST_SIZE, []).append(index)
        for list_id, indexes in by_list.items():
            answer = self.read(f"/badges/status/{list_id}", signed_in=False)
            assert answer.status == 200, answer.body
            # The list's signature is test_badges.py's concern: here, its bits.
            credential = json.loads(badges.b64url_decode(answer.body.decode().split(".")[1]))
            bits = badges.decode_bitstring(credential["credentialSubject"]["encodedList"])
            for index in indexes:
                shown = badges.bit_is_set(bits, index % STATUS_LIST_SIZE)
                assert shown == revoked_by_index[index], f"the badge status bit of index {index}"

    def check_after_erasure(self, now: datetime) -> None:
        """Nothing more is shown of the person: each certificate verifies as no longer available, each share link is
        gone; each badge handed out keeps its bit."""
        assert self.read("/me").status == 401
        for _, code in self.certificates:
            verified = self.read(f"/verify/{code}", signed_in=False)
            assert verified.status == 200, verified.body
            assert verified.json()["status"] == standing.of_certificate(None, None, now)
        for token, _ in self.shares:
            assert self.read(f"/shares/{token}", signed_in=False).status in (404, 410)
        kept = {
            int(award.status_index): bool(award.revoked)
            for award in CredentialAward.query(ANONYMIZED_PARTITION)
            if award.status_index is not None and int(award.status_index) in self.kept_badges
        }
        assert kept == self.kept_badges
        self.check_the_status_lists(kept)


# ---------------------------------------------------------------------------------------------- the test


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    # One emulator for every example, each with a candidate of its own: a fresh emulator per example would cost more
    # than the example.
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(
    # A history starts with what the candidate had passed (one to three exams), so that what follows acts on it.
    history=st.tuples(
        st.lists(st.builds(Pass, st.sampled_from(EXAMS)), min_size=1, max_size=3, unique=True),
        st.lists(events, min_size=MIN_STEPS, max_size=MAX_STEPS),
    ).map(lambda parts: [*parts[0], *parts[1]]),
    erase=st.booleans(),
)
def test_every_reader_agrees_with_the_standing_after_every_step(
    aws: None, gateway: Gateway, history: list[Event], erase: bool
) -> None:
    candidate = History(Api(gateway), Mailbox())
    try:
        candidate.check()
        for event in history:
            if candidate.run(event):
                candidate.check()
        if erase:
            candidate.erase()
            candidate.check()
    finally:
        candidate.leave_the_partner()
