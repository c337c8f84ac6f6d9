"""The one text-field policy, the one address rule, and why an email header can never carry a line break."""

from __future__ import annotations

import inspect
import re
import unicodedata
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import TypeAdapter, ValidationError

from certtracker import contract
from certtracker.contract import accounts, profile, support
from certtracker.contract.support import AnonymousSupportRequestBody
from certtracker.core import email, fields
from certtracker.core.api import StrictModel
from tests.depth import examples

SENDER = "CertTracker <noreply@certtracker.example.com>"
TEAM = "global_exams@certtracker.example.com"
# Characters that break or hide text, mixed into arbitrary Unicode so hypothesis tries them often.
TROUBLE = list("\r\n\t\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029\u200b\u200c\u200d\u202e\u2066\u2069\ufeff\x00\x7f\x9b")
texts = st.text(st.one_of(st.characters(), st.sampled_from(TROUBLE)), max_size=60)


# ---------------------------------------------------------------- the text policy


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("Cannot\u2028log in", "U+2028"),
        ("Cannot\u2029log in", "U+2029"),
        ("Cannot\x85log in", "U+0085"),
        ("Cannot\nlog in", "one line"),
        ("bell\x07", "control characters"),
        ("\u202egnp.exe", "direction-changing"),
        ("Ada\u200bLovelace", "invisible"),
        ("Ada\u2066Lovelace\u2069", "U+2066"),
        ("Ada\u200dLovelace", "U+200D"),  # a joiner between Latin letters joins nothing: it only hides
        ("\u200c\u0646", "U+200C"),  # nor at an edge
        ("\ud800", "surrogates"),
    ],
)
def test_one_line_text_refuses_breaks_controls_and_invisible_characters_naming_them(text, reason):
    with pytest.raises(ValueError, match=re.escape(reason)):
        fields.one_line(text)


def test_one_line_text_is_nfc_and_keeps_joiners_that_scripts_and_emoji_need():
    assert fields.one_line(unicodedata.normalize("NFD", "Zoë")) == "Zoë"
    persian = "\u0646\u06cc\u06a9\u200c\u0646\u0627\u0645"
    assert fields.one_line(persian) == persian
    family = "\U0001f469\u200d\U0001f4bb"  # woman technologist: an emoji ZWJ sequence
    assert fields.one_line(f"Help {family}") == f"Help {family}"


def test_multi_line_text_keeps_line_breaks_and_tabs_only():
    assert fields.multi_line("a\r\n\tb\rc") == "a\n\tb\nc"
    for text in ("a\x0bb", "a\u2028b", "a\x85b", "a\u202eb"):
        with pytest.raises(ValueError, match="U\\+"):
            fields.multi_line(text)


def _has_unguarded_string(schema: Any, guarded: bool = False) -> bool:
    """Whether a core schema holds a plain string that is neither under a validator of certtracker.core.fields
    (the text policy, the address rule, ...) nor limited by a pattern. Nested models are checked on their own."""
    if isinstance(schema, list):
        return any(_has_unguarded_string(value, guarded) for value in schema)
    if not isinstance(schema, dict):
        return False
    kind = schema.get("type")
    if kind in ("model", "definition-ref"):
        return False
    if kind == "function-after":
        function = schema.get("function", {}).get("function")
        guarded = guarded or getattr(function, "__module__", "") == fields.__name__
    if kind == "str" and not guarded and not schema.get("pattern"):
        return True
    return any(_has_unguarded_string(value, guarded) for value in schema.values())


def test_every_text_field_of_every_request_model_goes_through_the_one_policy():
    """So a new free-text field cannot forget it: each string is under a fields validator or a pattern.
    Passwords are exempt (any Unicode is allowed; they are never shown, stored or emailed)."""
    models = [
        model
        for module in (accounts, profile, support, *_other_contract_modules())
        for _, model in inspect.getmembers(module, inspect.isclass)
        if issubclass(model, StrictModel) and model is not StrictModel
    ]
    assert {"RegisterRequest", "ProfilePatch", "AddressModel", "AnonymousSupportRequestBody"} <= {
        m.__name__ for m in models
    }
    unguarded = {
        f"{model.__name__}.{name}"
        for model in models
        for name, info in model.model_fields.items()
        if "password" not in name
        and _has_unguarded_string(TypeAdapter(info.annotation).core_schema)
        and not _has_fields_validator(info.metadata)
    }
    assert unguarded == set()


def _has_fields_validator(metadata: list[Any]) -> bool:
    return any(getattr(getattr(m, "func", None), "__module__", "") == fields.__name__ for m in metadata) or any(
        getattr(m, "pattern", None) for m in metadata
    )


def _other_contract_modules() -> list[Any]:
    import importlib
    import pkgutil

    names = [info.name for info in pkgutil.iter_modules(contract.__path__)]
    return [importlib.import_module(f"{contract.__name__}.{name}") for name in names]


# ---------------------------------------------------------------- the address rule


def test_an_internationalized_domain_becomes_punycode_and_both_spellings_are_one_address():
    assert fields.email_address("Lin@Bücher.Example") == "Lin@xn--bcher-kva.example"
    assert fields.email_address("Lin@XN--BCHER-KVA.example") == "Lin@xn--bcher-kva.example"
    assert fields.email_address("lin@bu\u0308cher.example") == "lin@xn--bcher-kva.example"  # decomposed ü


@pytest.mark.parametrize("address", ["üser@example.org", "用户@example.org", "u\u0308ser@example.org"])
def test_an_internationalized_local_part_is_refused_as_undeliverable(address):
    with pytest.raises(ValueError, match="plain ASCII before the @"):
        fields.email_address(address)


# ---------------------------------------------------------------- email headers


def _anonymous_request(name: str, subject: str, address: str) -> AnonymousSupportRequestBody | None:
    try:
        return AnonymousSupportRequestBody.model_validate(
            {"name": name, "email": address, "category": "login", "subject": subject, "message": "A" * 10}
        )
    except ValidationError:
        return None


addresses = st.one_of(
    st.emails(),
    st.builds(lambda local, domain: f"{local}@{domain}.example", st.from_regex(r"\A[a-z0-9.]{1,20}\Z"), texts),
    texts.map(lambda text: f"{text}@example.org"),
)


@settings(max_examples=examples(quick=60, deep=300), deadline=None)
@given(name=texts, subject=texts, address=addresses)
def test_build_never_raises_on_header_content_that_passed_validation(name, subject, address):
    body = _anonymous_request(name, subject, address)
    if body is None:
        return
    values = {
        "reference": "CT-AAAA-BBBB",
        "name": body.name,
        "email": body.email,
        "category": body.category,
        "subject": body.subject,
        "message": body.message,
    }
    for to, kind, reply_to in ((TEAM, "support_request_team", body.email), (body.email, "support_request_team", None)):
        message = email.build(SENDER, to, kind, values, reply_to=reply_to)
        raw = message.as_bytes()
        headers = raw.split(b"\n\n", 1)[0]
        assert all(line[:1] in (b" ", b"\t") or b":" in line for line in headers.split(b"\n"))
        # Runs of white space (a no-break space too) become one space in a header; nothing else changes.
        assert " ".join(body.subject.split()) in str(message["Subject"])


@settings(max_examples=examples(quick=60, deep=300), deadline=None)
@given(subject=texts, name=texts)
def test_build_makes_any_subject_one_line_even_without_validation(subject, name):
    values = {"reference": "CT-AAAA-BBBB", "name": name, "email": TEAM, "category": "login"}
    message = email.build(SENDER, TEAM, "support_request_team", {**values, "subject": subject, "message": name})
    message.as_bytes()
    assert not any(unicodedata.category(char) in ("Cc", "Zl", "Zp") for char in str(message["Subject"]))


def test_a_value_with_blank_lines_in_the_subject_does_not_move_the_body():
    values = {"reference": "CT-AAAA-BBBB", "name": "Lin", "email": TEAM, "category": "login", "message": "Hi."}
    subject, text, _ = email.render("support_request_team", {**values, "subject": "Help\n\nSubject: forged"})
    assert subject == "[CT-AAAA-BBBB] login: Help Subject: forged"
    assert text.startswith("A candidate filed a support request.")


@pytest.mark.parametrize(
    ("header", "to", "reply_to"),
    [
        ("To", "lin@example.org\nBcc: everyone@example.org", None),
        ("To", "üser@example.org", None),
        ("To", "lin@bücher.example", None),
        ("Reply-To", TEAM, "lin@example.org\u2028Bcc: x@example.org"),
    ],
)
def test_an_address_that_cannot_be_written_as_is_raises_a_clear_error_and_is_not_sent(header, to, reply_to):
    values = {"reference": "R", "name": "N"}
    with pytest.raises(email.UnsafeHeader, match=header):
        email.build(SENDER, to, "support_request_confirmation", values, reply_to=reply_to)
    # send() never reaches SES with it (the network is off in this ring) and reports it as not sent.
    assert email.send(SENDER, to, "support_request_confirmation", values, None, reply_to) is False
