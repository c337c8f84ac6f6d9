"""What each staff operation takes: one strict model per operation, told apart by `operation`.

The same setting as every request body of the API (certtracker.core.strict_input): a number or a list is never
read as text, an unknown field is refused, and every text is one line of printable characters.
"""

from __future__ import annotations

import unicodedata
from functools import cache
from typing import Annotated, Any, Literal, get_args

from pydantic import AfterValidator, BaseModel, Field, TypeAdapter, ValidationError

from certtracker.core import names
from certtracker.core.errors import InvalidInput
from certtracker.core.strict_input import STRICT_INPUT, reason
from certtracker.credentials import standing

MAX_TEXT = 500


def _printable(max_length: int) -> AfterValidator:
    def check(value: str) -> str:
        value = unicodedata.normalize("NFC", value)
        if not value:
            raise ValueError("must not be empty")
        if len(value) > max_length or any(
            unicodedata.category(character) in ("Cc", "Cf", "Zl", "Zp") for character in value
        ):
            raise ValueError(f"must be at most {max_length} printable characters")
        return value

    return AfterValidator(check)


def _category(value: str) -> str:
    if value not in standing.CATEGORIES:
        raise ValueError(f"must be one of: {', '.join(standing.CATEGORIES)}")
    return value


Who = Annotated[str, _printable(200)]
Why = Annotated[str, _printable(MAX_TEXT)]
Username = Annotated[str, _printable(100)]
Email = Annotated[str, _printable(320)]
CredentialId = Annotated[str, _printable(40)]


class Listing(BaseModel):
    """An operation that only lists: who asks; nothing changes, so no reason."""

    model_config = STRICT_INPUT

    by: Who


class Decision(BaseModel):
    """An operation that changes something about a candidate: who does it, why, and to whom (by username or
    email address, as the team knows them: one of the two)."""

    model_config = STRICT_INPUT

    by: Who
    reason: Why
    username: Username | None = None
    email: Email | None = None


class Revoke(Decision):
    operation: Literal["revoke"]
    credential_id: CredentialId
    category: Annotated[str, AfterValidator(_category)]


class Reinstate(Decision):
    operation: Literal["reinstate"]
    credential_id: CredentialId


class ParkedResults(Listing):
    operation: Literal["parked_results"]


class AttachResult(Decision):
    operation: Literal["attach_result"]
    result_id: Annotated[str, _printable(100)]
    exam_id: Annotated[str, _printable(40)] | None = None  # when Pearson VUE's registration was unknown


class CorrectName(Decision):
    operation: Literal["correct_name"]
    holder_name: Annotated[str, _printable(names.MAX_PRINTED)]
    certificate_id: Annotated[str, _printable(16)] | None = None


class NameChangeRequests(Listing):
    operation: Literal["name_change_requests"]


class ApproveNameChange(Decision):
    operation: Literal["approve_name_change"]
    request_id: Annotated[str, _printable(21)] | None = None


class RefuseNameChange(Decision):
    operation: Literal["refuse_name_change"]
    request_id: Annotated[str, _printable(21)] | None = None


Payload = Annotated[
    Revoke
    | Reinstate
    | ParkedResults
    | AttachResult
    | CorrectName
    | NameChangeRequests
    | ApproveNameChange
    | RefuseNameChange,
    Field(discriminator="operation"),
]
MEMBERS: tuple[type[Listing | Decision], ...] = get_args(get_args(Payload)[0])
OPERATIONS: tuple[str, ...] = tuple(get_args(member.model_fields["operation"].annotation)[0] for member in MEMBERS)


@cache
def _validator() -> TypeAdapter[Payload]:
    return TypeAdapter(Payload)  # built on the first call, not at cold start


def read(request: Any) -> Payload:
    """The operation asked for, validated; an `InvalidInput` naming the first field at fault otherwise."""
    if not isinstance(request, dict):
        raise InvalidInput("The operation must be a JSON object.")
    try:
        return _validator().validate_python(request)
    except ValidationError as error:
        problem = error.errors()[0]
    if problem["type"] in ("union_tag_invalid", "union_tag_not_found"):  # missing, or not one of their names
        raise InvalidInput(f"operation must be one of: {', '.join(OPERATIONS)}.", field="operation") from None
    # The first part of the location is the operation's name (the union member); the rest is the field.
    field = ".".join(str(part) for part in problem["loc"][1:]) or None
    raise InvalidInput(f"{field}: {reason(problem)}." if field else f"{reason(problem)}.", field=field) from None
