"""The planner: the smallest set of bookable exams that earns a credential, and what lapses when."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from certtracker.credentials.evaluator import Facts, HeldCredential, PassedResult, evaluate
from certtracker.credentials.plan import steps, timeline
from certtracker.credentials.requirements import AllOf, AnyOf, CredentialRequirement, ExamRequirement, Node, NOf
from tests.depth import examples

NOW = datetime(2027, 6, 1, tzinfo=UTC)
RETIRED = {"OLD-1"}


def bookable(exam_id: str) -> bool:
    return exam_id not in RETIRED


def passes(*exam_ids: str, days_ago: int = 1) -> list[PassedResult]:
    return [PassedResult(e, f"r-{e}", NOW - timedelta(days=days_ago)) for e in exam_ids]


def plan(trees: dict[str, Node], facts: Facts, *credentials: str):
    return {s.credential_id: s for s in steps(trees, credentials, lambda _: facts, NOW, bookable)}


def test_a_shared_exam_is_counted_once_and_the_cheaper_branch_wins() -> None:
    trees = {
        "X": AllOf((AnyOf((ExamRequirement(("A",)), ExamRequirement(("B",)))), ExamRequirement(("A", "C")))),
    }
    assert plan(trees, Facts.of(), "X")["X"].exams == ("A",)


def test_a_retired_version_is_never_planned_but_still_counts_when_passed() -> None:
    trees = {"X": ExamRequirement(("OLD-1", "NEW-1"))}
    assert plan(trees, Facts.of(), "X")["X"].exams == ("NEW-1",)
    assert plan(trees, Facts.of(passes("OLD-1")), "X")["X"].exams == ()
    only_retired = {"Y": ExamRequirement(("OLD-1",))}
    assert plan(only_retired, Facts.of(), "Y")["Y"].bookable is False


def test_two_of_five_takes_the_cheapest_two_and_a_prerequisite_brings_its_own_exams() -> None:
    trees = {
        "P": NOf(2, tuple(CredentialRequirement(c) for c in ("C1", "C2", "C3"))),
        "C1": AllOf((ExamRequirement(("E1",)), ExamRequirement(("E2",)))),
        "C2": ExamRequirement(("E3",)),
        "C3": ExamRequirement(("E4",)),
    }
    held = [HeldCredential("C3", NOW - timedelta(days=10), NOW + timedelta(days=300))]
    assert plan(trees, Facts.of((), held), "P")["P"].exams == ("E3",)


tree_exams = st.sampled_from(["A", "B", "C", "D", "E", "OLD-1"])
leaves = st.builds(lambda ids: ExamRequirement(tuple(sorted(set(ids)))), st.lists(tree_exams, min_size=1, max_size=3))
trees = st.recursive(
    leaves,
    lambda children: st.one_of(
        st.builds(lambda c: AllOf(tuple(c)), st.lists(children, min_size=1, max_size=3)),
        st.builds(lambda c: AnyOf(tuple(c)), st.lists(children, min_size=1, max_size=3)),
        st.lists(children, min_size=1, max_size=4).flatmap(
            lambda c: st.integers(1, len(c)).map(lambda n: NOf(n, tuple(c)))
        ),
    ),
    max_leaves=8,
)


@settings(max_examples=examples(quick=60, deep=300), deadline=None)
@given(tree=trees, already=st.lists(tree_exams, max_size=4))
def test_passing_the_planned_exams_earns_the_credential(tree: Node, already: list[str]) -> None:
    facts = Facts.of(passes(*already, days_ago=5))
    (step,) = steps({"X": tree}, ["X"], lambda _: facts, NOW, bookable)
    if step.bookable:
        after = Facts.of([*passes(*already, days_ago=5), *passes(*step.exams)])
        assert evaluate(tree, after, NOW).met
        assert not set(step.exams) & RETIRED


def test_the_timeline_lists_renewal_windows_expiries_and_results_ageing_out_in_date_order() -> None:
    lapses = timeline(
        [("CERT-EP", NOW + timedelta(days=200), 180), ("ACC-EM", NOW + timedelta(days=30), 90)],
        [("ACC-EP", "ASM-EP-101", NOW + timedelta(days=60)), ("ACC-EP", "ASM-EP-201", NOW - timedelta(days=1))],
        NOW,
    )
    assert [(lapse.what, lapse.credential_id) for lapse in lapses] == [
        ("renewal_window_opens", "CERT-EP"),
        ("credential_expires", "ACC-EM"),
        ("result_ages_out", "ACC-EP"),
        ("credential_expires", "CERT-EP"),
    ]


PREREQUISITES = {"P1": ExamRequirement(("D",)), "P2": ExamRequirement(("E",))}
prerequisite_leaves = st.sampled_from(sorted(PREREQUISITES)).map(CredentialRequirement)
trees_with_prerequisites = st.recursive(
    st.one_of(leaves, prerequisite_leaves),
    lambda children: st.one_of(
        st.builds(lambda c: AllOf(tuple(c)), st.lists(children, min_size=1, max_size=3)),
        st.builds(lambda c: AnyOf(tuple(c)), st.lists(children, min_size=1, max_size=3)),
        st.lists(children, min_size=1, max_size=4).flatmap(
            lambda c: st.integers(1, len(c)).map(lambda n: NOf(n, tuple(c)))
        ),
    ),
    max_leaves=8,
)


@settings(max_examples=examples(quick=60, deep=300), deadline=None)
@given(
    tree=trees_with_prerequisites,
    revoked=st.sets(st.sampled_from(sorted(PREREQUISITES))),
    already=st.lists(tree_exams, max_size=4),
)
def test_the_plan_never_offers_exams_that_need_a_revoked_credential_and_says_what_blocks(
    tree: Node, revoked: set[str], already: list[str]
) -> None:
    """A revoked credential is never earned again by passing exams: what the plan offers works without it, and
    what only it would have made possible is blocked by it, by name."""
    trees = {"X": tree, **PREREQUISITES}
    facts = Facts.of(passes(*already, days_ago=5))
    (step,) = steps(trees, ["X"], lambda _: facts, NOW, bookable, revoked)
    if step.bookable:
        assert step.blocked_by is None
        results = [*passes(*already, days_ago=5), *passes(*step.exams)]
        earned = [
            HeldCredential(p, NOW - timedelta(days=1), NOW + timedelta(days=300))
            for p, requirement in PREREQUISITES.items()
            if p not in revoked and evaluate(requirement, Facts.of(results), NOW).met
        ]
        assert evaluate(tree, Facts.of(results, earned), NOW).met
        return
    (unblocked,) = steps(trees, ["X"], lambda _: facts, NOW, bookable)
    if unblocked.bookable:  # only the revocation stands in the way: it says which
        assert step.blocked_by in revoked
        assert step.exams == ()
