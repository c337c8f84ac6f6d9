"""The requirement evaluator: the grammar, progress units, freshness and expiry, as examples and as properties."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from certtracker.credentials.evaluator import Evaluation, Facts, HeldCredential, PassedResult, add_months, evaluate
from certtracker.credentials.requirements import (
    AllOf,
    AnyOf,
    CredentialRequirement,
    ExamRequirement,
    InvalidRequirement,
    Node,
    NOf,
    parse,
    to_json,
)
from tests.depth import examples

NOW = datetime(2026, 11, 15, 12, 0, tzinfo=UTC)
EXAMS = ["250-580", "250-561", "250-587", "250-550", "ASM-EP-101", "ASM-EP-201"]
CREDENTIALS = ["CERT-EP", "CERT-DLP", "ACC-DLP"]


def passed(exam_id: str, taken_at: datetime = NOW - timedelta(days=30), result_id: str | None = None) -> PassedResult:
    return PassedResult(exam_id, result_id or f"r-{exam_id}-{taken_at:%Y%m%d%H%M%S}", taken_at)


def held(credential_id: str, earned_at: datetime, expires_at: datetime, revoked: bool = False) -> HeldCredential:
    return HeldCredential(credential_id, earned_at, expires_at, revoked)


def nodes(evaluation: Evaluation) -> list[Evaluation]:
    return [evaluation, *(n for child in evaluation.children for n in nodes(child))]


# ---------------------------------------------------------------- the grammar


def test_a_tree_parses_into_typed_nodes_and_back_into_the_same_json() -> None:
    data = {
        "all_of": [
            {"credential": "ACC-DLP"},
            {"any_of": [{"exam": {"ids": ["250-587"]}}, {"exam": {"ids": ["250-550"], "within_months": 24}}]},
            {"n_of": {"count": 1, "of": [{"exam": {"ids": ["ASM-EP-101"]}}, {"exam": {"ids": ["ASM-EP-201"]}}]}},
        ]
    }
    tree = parse(data)
    assert tree == AllOf(
        (
            CredentialRequirement("ACC-DLP"),
            AnyOf((ExamRequirement(("250-587",)), ExamRequirement(("250-550",), 24))),
            NOf(1, (ExamRequirement(("ASM-EP-101",)), ExamRequirement(("ASM-EP-201",)))),
        )
    )
    assert to_json(tree) == data


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"n_of": {"count": 3, "of": [{"credential": "A"}, {"credential": "B"}]}}, "requirements.n_of.count"),
        ({"n_of": {"count": 0, "of": [{"credential": "A"}]}}, "from 1 to the 1 requirement(s)"),
        ({"n_of": {"count": True, "of": [{"credential": "A"}]}}, "requirements.n_of.count"),
        ({"n_of": {"of": [{"credential": "A"}]}}, "requirements.n_of: missing count"),
        ({"all_of": []}, "requirements.all_of: must be a non-empty list"),
        ({"any_of": [{"exam": {"ids": []}}]}, "requirements.any_of[0].exam.ids: must be a non-empty list"),
        ({"exam": {"ids": ["250-580", "250-580"]}}, "lists an exam id twice"),
        ({"exam": {"ids": ["250-580"], "within_months": 0}}, "within_months: must be a whole number from 1"),
        ({"exam": {"ids": ["250-580"], "fresh": 3}}, "unknown field(s) fresh"),
        ({"credential": ""}, "requirements.credential: must be a credential id"),
        ({"exam": {"ids": ["x"]}, "credential": "A"}, "exactly one key"),
        ({"one_of": []}, "unknown requirement 'one_of'"),
        ([{"credential": "A"}], "exactly one key"),
    ],
)
def test_a_tree_off_the_grammar_is_refused_naming_the_node(data: object, message: str) -> None:
    with pytest.raises(InvalidRequirement) as refused:
        parse(data)
    assert message in str(refused.value)


def test_a_tree_nested_absurdly_deep_is_refused_not_a_recursion_error() -> None:
    data: dict = {"credential": "A"}
    for _ in range(100):
        data = {"all_of": [data]}
    with pytest.raises(InvalidRequirement, match="nested more than"):
        parse(data)


# ---------------------------------------------------------------- evaluation, by example


def test_progress_counts_an_n_of_as_its_count_not_its_list_length() -> None:
    two_of_five = NOf(2, tuple(CredentialRequirement(f"CERT-{i}") for i in range(5)))
    one = Facts.of(credentials=[held("CERT-3", NOW - timedelta(days=10), NOW + timedelta(days=700))])
    evaluation = evaluate(two_of_five, one, NOW)
    assert (evaluation.met, evaluation.met_units, evaluation.total_units, evaluation.percent) == (False, 1, 2, 50)
    three = Facts.of(
        credentials=[held(f"CERT-{i}", NOW - timedelta(days=10), NOW + timedelta(days=9)) for i in range(3)]
    )
    assert (evaluate(two_of_five, three, NOW).met_units, evaluate(two_of_five, three, NOW).percent) == (2, 100)


def test_an_all_of_sums_its_children_and_an_any_of_counts_one() -> None:
    tree = AllOf(
        (
            ExamRequirement(("ASM-EP-101",)),
            ExamRequirement(("ASM-EP-201",)),
            AnyOf((ExamRequirement(("250-580",)), ExamRequirement(("250-561",)))),
        )
    )
    evaluation = evaluate(tree, Facts.of([passed("ASM-EP-101"), passed("250-561")]), NOW)
    assert (evaluation.met, evaluation.met_units, evaluation.total_units, evaluation.percent) == (False, 2, 3, 66)
    assert [child.met for child in evaluation.children] == [True, False, True]


def test_a_met_exam_node_names_the_freshest_result_that_meets_it() -> None:
    older, newer = passed("250-561", NOW - timedelta(days=400)), passed("250-580", NOW - timedelta(days=20))
    evaluation = evaluate(ExamRequirement(("250-580", "250-561")), Facts.of([older, newer]), NOW)
    assert evaluation.result == newer
    assert evaluate(ExamRequirement(("250-561",)), Facts.of([older, newer]), NOW).result == older


def test_a_retired_version_counts_where_listed_and_nowhere_else() -> None:
    retired_pass = Facts.of([passed("250-550")])  # Data Loss Prevention 15.5, replaced by 250-587
    assert evaluate(ExamRequirement(("250-587", "250-550")), retired_pass, NOW).met
    assert not evaluate(ExamRequirement(("250-587",)), retired_pass, NOW).met


def test_a_result_ages_out_of_a_freshness_limit_on_the_same_day_months_later() -> None:
    taken = datetime(2024, 11, 15, 9, 30, tzinfo=UTC)
    fresh = ExamRequirement(("ASM-EP-101",), within_months=24)
    facts = Facts.of([passed("ASM-EP-101", taken)])
    assert evaluate(fresh, facts, datetime(2026, 11, 15, 9, 29, tzinfo=UTC)).met
    assert not evaluate(fresh, facts, datetime(2026, 11, 15, 9, 30, tzinfo=UTC)).met
    assert evaluate(ExamRequirement(("ASM-EP-101",)), facts, datetime(2040, 1, 1, tzinfo=UTC)).met


def test_an_older_result_of_another_listed_version_may_be_fresh_when_a_newer_one_is_not() -> None:
    # Newest-first per exam id, but freshness is judged across every listed id.
    node = ExamRequirement(("250-580", "250-561"), within_months=12)
    facts = Facts.of([passed("250-561", NOW - timedelta(days=500)), passed("250-580", NOW - timedelta(days=100))])
    assert evaluate(node, facts, NOW).result == facts.results["250-580"][0]


def test_a_prerequisite_counts_while_valid_and_not_once_expired_or_revoked() -> None:
    node = CredentialRequirement("ACC-DLP")
    earned, expires = NOW - timedelta(days=300), NOW + timedelta(days=65)
    facts = Facts.of(credentials=[held("ACC-DLP", earned, expires)])
    assert evaluate(node, facts, NOW).credential == facts.credentials["ACC-DLP"][0]
    assert not evaluate(node, facts, expires).met
    assert not evaluate(node, facts, earned - timedelta(seconds=1)).met
    assert not evaluate(node, Facts.of(credentials=[held("ACC-DLP", earned, expires, revoked=True)]), NOW).met


def test_a_result_taken_after_now_does_not_count_yet() -> None:
    assert not evaluate(ExamRequirement(("250-580",)), Facts.of([passed("250-580", NOW + timedelta(hours=1))]), NOW).met


def test_adding_months_clamps_to_the_end_of_a_shorter_month() -> None:
    assert add_months(datetime(2026, 1, 31, tzinfo=UTC), 1) == datetime(2026, 2, 28, tzinfo=UTC)
    assert add_months(datetime(2027, 12, 31, tzinfo=UTC), 2) == datetime(2028, 2, 29, tzinfo=UTC)
    assert add_months(datetime(2026, 3, 15, tzinfo=UTC), -15) == datetime(2024, 12, 15, tzinfo=UTC)


# ---------------------------------------------------------------- properties

moments = st.datetimes(min_value=datetime(2020, 1, 1), max_value=datetime(2032, 12, 31), timezones=st.just(UTC))
exam_nodes = st.builds(
    ExamRequirement,
    st.lists(st.sampled_from(EXAMS), min_size=1, max_size=3, unique=True).map(tuple),
    st.none() | st.integers(1, 36),
)
leaves = exam_nodes | st.builds(CredentialRequirement, st.sampled_from(CREDENTIALS))


def _combine(children: st.SearchStrategy[Node]) -> st.SearchStrategy[Node]:
    lists = st.lists(children, min_size=1, max_size=4).map(tuple)
    return (
        lists.map(AllOf)
        | lists.map(AnyOf)
        | lists.flatmap(lambda kids: st.integers(1, len(kids)).map(lambda count: NOf(count, kids)))
    )


trees = st.recursive(leaves, _combine, max_leaves=12)
results = st.builds(passed, st.sampled_from(EXAMS), moments)
held_credentials = st.builds(
    lambda credential_id, earned_at, days, revoked: held(
        credential_id, earned_at, earned_at + timedelta(days=days), revoked
    ),
    st.sampled_from(CREDENTIALS),
    moments,
    st.integers(1, 3 * 366),
    st.booleans(),
)
facts_lists = st.tuples(st.lists(results, max_size=8), st.lists(held_credentials, max_size=4))


@settings(max_examples=examples(quick=60, deep=300))
@given(trees)
def test_every_tree_survives_its_json_form(tree: Node) -> None:
    assert parse(to_json(tree)) == tree


@settings(max_examples=examples(quick=60, deep=300))
@given(trees, facts_lists, results, moments)
def test_adding_a_passed_result_never_lowers_progress(
    tree: Node, facts: tuple, extra: PassedResult, now: datetime
) -> None:
    before = evaluate(tree, Facts.of(*facts), now)
    after = evaluate(tree, Facts.of([*facts[0], extra], facts[1]), now)
    assert after.met_units >= before.met_units
    assert after.met or not before.met
    assert after.total_units == before.total_units


@settings(max_examples=examples(quick=60, deep=300))
@given(trees, facts_lists, moments)
def test_an_n_of_is_met_exactly_when_count_children_are(tree: Node, facts: tuple, now: datetime) -> None:
    for node in nodes(evaluate(tree, Facts.of(*facts), now)):
        if isinstance(node.node, NOf):
            assert node.met == (sum(child.met for child in node.children) >= node.node.count)
            assert node.total_units == node.node.count


@settings(max_examples=examples(quick=60, deep=300))
@given(trees, facts_lists, moments)
def test_percent_is_100_exactly_when_the_tree_is_met(tree: Node, facts: tuple, now: datetime) -> None:
    for node in nodes(evaluate(tree, Facts.of(*facts), now)):
        assert 0 <= node.percent <= 100
        assert (node.percent == 100) == node.met


@settings(max_examples=examples(quick=60, deep=300))
@given(exam_nodes, st.sampled_from(EXAMS), moments)
def test_a_pass_counts_for_an_exam_node_only_when_its_version_is_listed(
    node: ExamRequirement, exam_id: str, taken_at: datetime
) -> None:
    evaluation = evaluate(replace(node, within_months=None), Facts.of([passed(exam_id, taken_at)]), taken_at)
    assert evaluation.met == (exam_id in node.exam_ids)


@settings(max_examples=examples(quick=60, deep=300))
@given(st.integers(1, 36), moments, moments)
def test_a_result_counts_from_when_it_is_taken_until_it_ages_out(
    months: int, taken_at: datetime, now: datetime
) -> None:
    node = ExamRequirement(("250-580",), within_months=months)
    met = evaluate(node, Facts.of([passed("250-580", taken_at)]), now).met
    assert met == (taken_at <= now < add_months(taken_at, months))


@settings(max_examples=examples(quick=60, deep=300))
@given(trees, facts_lists, moments, st.integers(1, 2000))
def test_freshness_and_expiry_only_take_away_as_time_passes_without_new_facts(
    tree: Node, facts: tuple, now: datetime, days: int
) -> None:
    # Facts dated before `now` only: after it, nothing new can be earned, only aged out or expired.
    results_then = [r for r in facts[0] if r.taken_at <= now]
    held_then = [c for c in facts[1] if c.earned_at <= now]
    known = Facts.of(results_then, held_then)
    assert evaluate(tree, known, now + timedelta(days=days)).met_units <= evaluate(tree, known, now).met_units


@settings(max_examples=examples(quick=40, deep=200))
@given(held_credentials, moments)
def test_a_credential_counts_as_a_prerequisite_only_while_held_and_valid(
    credential: HeldCredential, now: datetime
) -> None:
    met = evaluate(CredentialRequirement(credential.credential_id), Facts.of(credentials=[credential]), now).met
    assert met == (not credential.revoked and credential.earned_at <= now < credential.expires_at)
