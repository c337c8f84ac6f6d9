"""The typed domain errors; `certtracker.core.api` is the one place that turns them into HTTP."""

from __future__ import annotations


class DomainError(Exception):
    """A failure the caller can act on. `code` is stable and snake_case; `message` is for a person."""

    status = 400
    code = "bad_request"

    def __init__(self, message: str, *, code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code


class InvalidInput(DomainError):
    status = 422
    code = "invalid_input"

    def __init__(self, message: str, *, field: str | None = None, code: str | None = None) -> None:
        super().__init__(message, code=code)
        self.field = field


class Unauthorized(DomainError):
    status = 401
    code = "unauthorized"


class Forbidden(DomainError):
    status = 403
    code = "forbidden"


class NotFound(DomainError):
    status = 404
    code = "not_found"


class Conflict(DomainError):
    status = 409
    code = "conflict"


class Gone(DomainError):
    """A link or token that existed but is used up or expired."""

    status = 410
    code = "gone"


class TooManyRequests(DomainError):
    status = 429
    code = "too_many_requests"

    def __init__(self, message: str, *, retry_after: int, code: str | None = None) -> None:
        super().__init__(message, code=code)
        self.retry_after = max(1, int(retry_after))


class ServiceUnavailable(DomainError):
    """A dependency (email, a partner system) failed; the caller may retry."""

    status = 503
    code = "service_unavailable"

    def __init__(self, message: str, *, retry_after: int = 30, code: str | None = None) -> None:
        super().__init__(message, code=code)
        self.retry_after = retry_after
