"""The REST resolver every HTTP function uses: validation, the one error mapping, body limits, headers."""

from __future__ import annotations

import base64
import binascii
import inspect
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Annotated, Any

from aws_lambda_powertools.event_handler import APIGatewayRestResolver, Response, content_types
from aws_lambda_powertools.event_handler.exceptions import NotFoundError
from aws_lambda_powertools.event_handler.openapi.exceptions import (
    RequestUnsupportedContentType,
    RequestValidationError,
)
from aws_lambda_powertools.event_handler.openapi.params import Header
from pydantic import BaseModel, ConfigDict

from certtracker.core import deadline
from certtracker.core.errors import DomainError, TooManyRequests, Unauthorized
from certtracker.core.input_messages import field_name, sentence
from certtracker.core.observability import count, logger
from certtracker.core.strict_input import STRICT_INPUT

# Every JSON body CertTracker accepts is small; anything bigger is refused before parsing.
MAX_BODY_BYTES = 16 * 1024

OUT_OF_TIME = "We could not finish this in time just now. Try again in a moment."

UNSUPPORTED_MEDIA_TYPE = "Send the body as JSON, with the header Content-Type: application/json."

SECURITY_HEADERS = {
    "Strict-Transport-Security": "max-age=63072000; includeSubDomains",
    "X-Content-Type-Options": "nosniff",
    "Cache-Control": "no-store",
}


class Model(BaseModel):
    """Every request and response model: its validator is built when first used, not at cold start (a
    function loads every model of its routes but a request uses one or two)."""

    model_config = ConfigDict(defer_build=True)


class StrictModel(Model):
    """Request bodies: strict types, unknown fields refused, strings stripped (certtracker.core.strict_input).

    Response models stay lax: they are built from CertTracker's own stored values (numbers PynamoDB read as
    floats, items read `from_attributes`), never from what a client sent."""

    model_config = STRICT_INPUT


class ErrorDetail(Model):
    code: str
    message: str
    field: str | None = None


class ErrorBody(Model):
    error: ErrorDetail


def error_response(
    status: int, code: str, message: str, *, field: str | None = None, headers: dict[str, str] | None = None
) -> Response[str]:
    detail: dict[str, Any] = {"code": code, "message": message}
    if field:
        detail["field"] = field
    return Response(
        status_code=status,
        content_type=content_types.APPLICATION_JSON,
        body=json.dumps({"error": detail}),
        headers=headers or {},
    )


# The responses every route may give besides its own, for the OpenAPI document.
def error_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    descriptions = {
        400: "The body is not JSON, or not UTF-8 text",
        401: "Not logged in, or the session has ended",
        403: "Not allowed",
        404: "Not found",
        409: "Conflict with existing data",
        410: "The link has expired or was already used",
        413: "Body too large",
        415: "The body is not JSON",
        422: "A field is missing or invalid; `field` names it",
        429: "Too many attempts; see Retry-After",
        503: "A dependency is unavailable; see Retry-After",
    }
    return {
        status: {
            "description": descriptions[status],
            "content": {"application/json": {"model": ErrorBody}},
        }
        for status in statuses
    }


# What the resolver itself answers for any route that reads a body (see `resolve`).
BODY_ERRORS = (400, 413, 415, 422)


def _documented_responses(route: Any, *, takes_body: bool) -> dict[int, dict[str, Any]]:
    """A route's own responses, with its success and the refusals every such route can give.

    Derived here rather than listed on each route, so the document cannot drift from what the
    resolver does: a body can always be malformed, too large, of another type or invalid; a query
    or path parameter can be invalid; the success is the route's `status_code`.
    """
    responses: dict[int, dict[str, Any]] = {**(route.responses or {})}
    for status, response in error_responses(*(BODY_ERRORS if takes_body else ())).items():
        responses.setdefault(int(status), response)
    if _takes_input(route):
        responses.setdefault(422, error_responses(422)[422])
    if route.status_code in (204, 304):
        responses.setdefault(route.status_code, {"description": route.response_description, "content": {}})
    else:  # without "content", Powertools documents the route's return type
        responses.setdefault(route.status_code, {"description": route.response_description})
    return responses


def _takes_input(route: Any) -> bool:
    dependant = route.dependant
    return bool(dependant.body_params or dependant.query_params or dependant.path_params or dependant.header_params)


@dataclass(frozen=True)
class Caller:
    """Who is calling, as the authorizer established it: never taken from the request body."""

    account_id: str
    session_id: str


PRIVATE_HEADERS = {"Cache-Control": "no-store", "Referrer-Policy": "no-referrer", "X-Robots-Tag": "noindex, nofollow"}

# A form submitted twice (a double click, a retry after a timeout) makes one thing (certtracker.core.submissions).
IdempotencyKey = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        min_length=1,
        max_length=255,
        pattern=r"^[\x21-\x7e]+$",
        description="Any unique string (a UUID); the same key within 24 hours answers with what the first request made",
    ),
]


FORM_MEDIA_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


class CertTrackerResolver(APIGatewayRestResolver):
    def __init__(self, *, form_body_paths: frozenset[str] = frozenset(), client_address_from: str = "direct") -> None:
        """`form_body_paths`: routes that take no body but may receive a form (RFC 8058 one-click).
        `client_address_from`: "cloudfront" where CloudFront stands in front of the API, "direct" where
        clients reach it themselves (see `client_address`)."""
        super().__init__(enable_validation=True, json_body_deserializer=_parse_json)
        self.form_body_paths = form_body_paths
        self.behind_cloudfront = client_address_from == "cloudfront"
        self.exception_handler(DomainError)(self._domain_error)
        self.exception_handler(RequestValidationError)(self._validation_error)
        self.exception_handler(RequestUnsupportedContentType)(self._unsupported_content_type)
        self.exception_handler(RecursionError)(self._too_deeply_nested)
        self.not_found()(self._route_not_found)
        self.exception_handler(Exception)(self._unexpected_error)

    def resolve(self, event: Mapping[str, Any], context: Any) -> dict[str, Any]:
        body = event.get("body") or ""
        is_form = _media_type(event.get("headers") or {}) in FORM_MEDIA_TYPES
        if body and is_form and event.get("resource") in self.form_body_paths:
            event, body = {**event, "body": None, "isBase64Encoded": False}, ""
        try:
            text = _body_text(
                body,
                base64_encoded=bool(event.get("isBase64Encoded")),
                json_declared=_declares_json(event.get("headers") or {}),
            )
        except _Refused as refused:
            response = _refusal(refused.status, refused.code, refused.message)
        else:
            # From here on every reader (Powertools' validation, a webhook's signature check) sees the
            # exact text the client sent: never base64, never a lossy decoding.
            event = {**event, "body": text or event.get("body"), "isBase64Encoded": False}
            with deadline.started(context):  # every outbound call of this request ends before its answer is due
                response = super().resolve(_with_normalized_content_type(event), context)
        _add_security_headers(response)
        return response

    def get_openapi_schema(self, *args: Any, **kwargs: Any) -> Any:
        without_input: set[tuple[str, str]] = set()
        for route in self._static_routes + self._dynamic_routes:
            # A route's docstring is its documentation: first paragraph the summary, the rest the description.
            doc = inspect.getdoc(route.func) or ""
            summary, _, description = doc.partition("\n\n")
            route.summary = route.summary or " ".join(summary.split()) or None
            route.description = route.description or " ".join(description.split()) or None
            if route.include_in_schema and not _takes_input(route) and 422 not in (route.responses or {}):
                without_input.add((route.openapi_path, route.method.lower()))
            route.responses = _documented_responses(route, takes_body=bool(route.dependant.body_params))  # type: ignore[assignment]
            route._dependant = None  # rebuilt from the responses, so their models reach the document
        schema = super().get_openapi_schema(*args, **kwargs)
        # Powertools documents a 422 on every route; one that reads no input never answers it.
        for path, method in without_input:
            operation = getattr((schema.paths or {})[path], method)
            operation.responses.pop(422, None)
        return schema

    def caller(self) -> Caller:
        context = self.current_event.raw_event.get("requestContext", {}).get("authorizer") or {}
        account_id, session_id = context.get("account_id"), context.get("session_id")
        if not account_id or not session_id:
            raise Unauthorized("Log in first: this needs a session.", code="not_logged_in")
        return Caller(account_id=account_id, session_id=session_id)

    def accepts(self, media_type: str) -> bool:
        """Whether the request's Accept header names `media_type`."""
        return media_type in (self.current_event.headers.get("accept") or "")

    def download(self, url: str, link: BaseModel) -> Response[Any]:
        """A presigned download: 302 to `url`, or `link` (the URL in a body) for a script asking for JSON, since a
        page's fetch cannot follow a redirect to the bucket's origin. Never cached: the link is the caller's, and
        it expires."""
        headers = {"Cache-Control": "no-store"}
        if self.accepts("application/json"):
            return Response(200, content_types.APPLICATION_JSON, link, headers)
        return Response(302, headers={**headers, "Location": url})

    def source_ip(self) -> str:
        """The client's address, for per-address limits: never one the client could choose."""
        return client_address(self.current_event.raw_event, behind_cloudfront=self.behind_cloudfront)

    def limit_per_address(self, name: str, limit: tuple[int, timedelta], *, code: str, message: str) -> None:
        """A public route's limit per client address: 429 with Retry-After past `limit` (uses, window); the
        message's "{wait}" says how long in words."""
        from certtracker.core import throttling  # the counters' table: only where a route limits

        uses, window = limit
        throttling.enforce(f"{name}-ip#{self.source_ip()}", limit=uses, window=window, code=code, message=message)

    @staticmethod
    def private(answer: BaseModel) -> Response[Any]:
        """A public answer about a person (a verification, a shared link): not kept by caches, not indexed, and
        the code or token in the address not passed on to the next site."""
        return Response(200, content_types.APPLICATION_JSON, answer, dict(PRIVATE_HEADERS))

    @staticmethod
    def _domain_error(error: DomainError) -> Response[str]:
        headers = {}
        if isinstance(error, TooManyRequests) or hasattr(error, "retry_after"):
            headers["Retry-After"] = str(error.retry_after)  # type: ignore[attr-defined]
        return error_response(
            error.status, error.code, error.message, field=getattr(error, "field", None), headers=headers
        )

    @staticmethod
    def _validation_error(error: RequestValidationError) -> Response[str]:
        problems = error.errors()
        first = problems[0] if problems else {}
        if first.get("type") == "json_invalid":
            return error_response(400, "invalid_json", "The request body is not valid JSON.")
        field = field_name(first.get("loc", ()))
        message = sentence(first)
        others = len(problems) - 1
        if others:
            message += f" ({others} more problem{'s' if others > 1 else ''} after this one.)"
        return error_response(422, "validation_error", message, field=field)

    @staticmethod
    def _unsupported_content_type(error: RequestUnsupportedContentType) -> Response[str]:
        return error_response(415, "unsupported_media_type", UNSUPPORTED_MEDIA_TYPE)

    @staticmethod
    def _too_deeply_nested(error: RecursionError) -> Response[str]:
        return error_response(400, "invalid_json", "The request body is nested too deeply to be read.")

    @staticmethod
    def _route_not_found(error: NotFoundError) -> Response[str]:
        return error_response(404, "not_found", "There is no such route.")

    @staticmethod
    def _unexpected_error(error: Exception) -> Response[str]:
        if deadline.ran_out(error):  # a dependency's call could not fit the time left: try again, not a bug
            return error_response(503, "out_of_time", OUT_OF_TIME, headers={"Retry-After": "5"})
        logger.exception("unhandled error")
        count("UnhandledError")  # alarmed on at the first one (template.yaml)
        return error_response(500, "internal_error", "Something went wrong on our side; it has been logged.")


def client_address(event: Mapping[str, Any], *, behind_cloudfront: bool) -> str:
    """Who sent the request, as the infrastructure saw it.

    `sourceIp` is the address of the connection API Gateway received: the client's on the local stack, but
    behind CloudFront an edge server's, shared by everyone that edge serves. There the viewer's address is
    in X-Forwarded-For: CloudFront appends it to whatever the viewer sent in that header, and API Gateway
    appends its own caller's (the edge's, which is `sourceIp`). So the entry before the last is the one
    CloudFront wrote; everything before it is the viewer's to invent. This holds because only CloudFront
    reaches the API (template.yaml, ApiWebAcl). CloudFront-Viewer-Address is not used: whether the managed
    origin request policy adds it is not pinned in the template, and a viewer can send a header by that name.

    A header that does not end with `sourceIp`, or an entry that is not an address, falls back to `sourceIp`:
    a limit shared with an edge's other viewers, never one a client can move away from.
    """
    identity = (event.get("requestContext") or {}).get("identity") or {}
    caller = str(identity.get("sourceIp") or "unknown")
    if not behind_cloudfront:
        return caller
    import ipaddress  # only behind CloudFront, on the two routes that limit per address

    entries = [entry.strip() for value in _header_values(event, "x-forwarded-for") for entry in value.split(",")]
    try:
        appended_by_gateway, appended_by_cloudfront = (ipaddress.ip_address(entry) for entry in entries[-1:-3:-1])
        chained = appended_by_gateway == ipaddress.ip_address(caller)
    except ValueError:  # too few entries, or one that is not an address
        chained = False
    if not chained:
        logger.warning("X-Forwarded-For is not as CloudFront and API Gateway write it: limiting by the caller")
        return caller
    return str(appended_by_cloudfront)  # one spelling per address (IPv6 compressed, lower case)


def _header_values(event: Mapping[str, Any], name: str) -> list[str]:
    """Every value of a header, in the order received (a header sent twice is two values)."""
    multi = event.get("multiValueHeaders") or {}
    found = [value for key, values in multi.items() if key.lower() == name for value in values or ()]
    if found or multi:
        return found
    return [value for key, value in (event.get("headers") or {}).items() if key.lower() == name and value]


class _Refused(Exception):
    """A request refused before routing, with its answer."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


def _too_large() -> _Refused:
    return _Refused(413, "payload_too_large", f"The request body is larger than {MAX_BODY_BYTES} bytes.")


def _not_utf8() -> _Refused:
    return _Refused(400, "invalid_encoding", "The request body is not UTF-8 text: send JSON encoded as UTF-8.")


def _body_text(body: str, *, base64_encoded: bool, json_declared: bool) -> str:
    """The body as text, decoded strictly, or why it is refused (too large, not JSON, not UTF-8).

    The API declares every media type binary (template.yaml, BinaryMediaTypes), so API Gateway hands
    over the client's bytes base64-encoded instead of decoding them itself, which would turn bytes that
    are not UTF-8 into U+FFFD and store them. Here such bytes are refused.
    """
    if not body:
        return ""
    if base64_encoded:
        if len(body) * 3 // 4 > MAX_BODY_BYTES + 2:  # not worth decoding
            raise _too_large()
        try:
            raw = base64.b64decode(body, validate=True)
        except (binascii.Error, ValueError):
            raise _Refused(400, "invalid_encoding", "The request body could not be read.") from None
    elif len(body) > MAX_BODY_BYTES:  # each character is at least one byte
        raise _too_large()
    if not json_declared:
        raise _Refused(415, "unsupported_media_type", UNSUPPORTED_MEDIA_TYPE)
    if not base64_encoded:
        try:
            raw = body.encode("utf-8")  # a lone surrogate is not UTF-8
        except UnicodeEncodeError:
            raise _not_utf8() from None
    if len(raw) > MAX_BODY_BYTES:
        raise _too_large()
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        raise _not_utf8() from None


def _parse_json(text: str) -> Any:
    """json.loads, with every way a text can fail to be JSON reported as a JSON error.

    Python refuses to convert integers longer than 4,300 digits (a ValueError, not a JSONDecodeError),
    which Powertools would let through as a 500.
    """
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        raise
    except ValueError as error:
        raise json.JSONDecodeError(str(error).split(":", 1)[0], text, 0) from None


def _media_type(headers: Mapping[str, str]) -> str:
    content_type = next((v for k, v in headers.items() if k.lower() == "content-type"), "")
    return content_type.split(";", 1)[0].strip().lower()


def _declares_json(headers: Mapping[str, str]) -> bool:
    """A body is JSON unless its Content-Type says otherwise (a missing header is taken as JSON)."""
    media_type = _media_type(headers)
    return media_type in ("", "application/json") or media_type.endswith("+json")


def _with_normalized_content_type(event: Mapping[str, Any]) -> Mapping[str, Any]:
    """Media types are case-insensitive (RFC 9110), but Powertools compares them case-sensitively."""
    headers = event.get("headers") or {}
    if not _declares_json(headers) or not any(k.lower() == "content-type" for k in headers):
        return event
    normalized = dict(event)
    normalized["headers"] = {k: v for k, v in headers.items() if k.lower() != "content-type"}
    normalized["headers"]["content-type"] = "application/json"
    multi = event.get("multiValueHeaders") or {}
    normalized["multiValueHeaders"] = {k: v for k, v in multi.items() if k.lower() != "content-type"}
    normalized["multiValueHeaders"]["content-type"] = ["application/json"]
    return normalized


def _refusal(status: int, code: str, message: str) -> dict[str, Any]:
    """A response given before routing, in the error shape."""
    return {
        "statusCode": status,
        "headers": {"Content-Type": content_types.APPLICATION_JSON},
        "body": json.dumps({"error": {"code": code, "message": message}}),
        "isBase64Encoded": False,
    }


def _add_security_headers(response: dict[str, Any]) -> None:
    single = response.setdefault("headers", {}) if "multiValueHeaders" not in response else None
    multi = response.get("multiValueHeaders")
    for name, value in SECURITY_HEADERS.items():
        if multi is not None:
            if not any(key.lower() == name.lower() for key in multi):
                multi[name] = [value]
        elif single is not None and not any(key.lower() == name.lower() for key in single):
            single[name] = value
