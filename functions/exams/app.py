"""Exam registrations: authorize an exam at Pearson VUE (or open an assessment) and list them."""

from __future__ import annotations

from typing import Annotated, Literal

from aws_lambda_powertools.event_handler import Response, content_types
from aws_lambda_powertools.event_handler.openapi.params import Query
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext

from certtracker.contract.exams import (
    ExamHistory,
    ExamResultOut,
    Registration,
    RegistrationList,
    RegistrationRequest,
)
from certtracker.core.api import CertTrackerResolver, error_responses
from certtracker.core.observability import logger, metrics
from certtracker.core.settings import ExamRegistrationSettings, load
from certtracker.exams import registrations as exam_registrations
from certtracker.exams import results as exam_results

settings = load(ExamRegistrationSettings)
app = CertTrackerResolver()


def _shape(registered: exam_registrations.Registered) -> Registration:
    item = registered.registration
    return Registration(
        registration_id=item.registration_id,
        exam_id=item.exam_id,
        kind=item.kind,
        status=item.status,  # type: ignore[arg-type]
        created_at=item.created_at,
        valid_until=item.valid_until,
        scheduling_url=registered.scheduling_url,
    )


@app.post(
    "/me/exam-registrations", tags=["exams"], status_code=201, responses=error_responses(401, 404, 409, 413, 422, 503)
)
def register(body: RegistrationRequest) -> Response[Registration]:
    """Register for an exam or assessment.

    For an exam, Pearson VUE receives my demographics and an authorization, and the answer carries the
    link to schedule it there; for an assessment, the link that starts it. One open registration per
    exam; retired exams are refused. A Pearson VUE outage is a 503 with Retry-After, and nothing is kept.
    """
    registered = exam_registrations.register(app.caller().account_id, body.exam_id)
    return Response(201, content_types.APPLICATION_JSON, _shape(registered))


@app.get("/me/exam-registrations", tags=["exams"], responses=error_responses(401))
def list_registrations() -> RegistrationList:
    """My registrations, newest first; open ones carry a fresh scheduling or launch link."""
    return RegistrationList(
        registrations=[_shape(r) for r in exam_registrations.list_registrations(app.caller().account_id)]
    )


@app.get("/me/exams", tags=["exams"], responses=error_responses(401, 422))
def history(
    kind: Annotated[Literal["exam", "assessment"] | None, Query()] = None,
    result: Annotated[Literal["passed", "failed"] | None, Query()] = None,
    cursor: Annotated[str | None, Query(min_length=1, max_length=1024)] = None,
) -> ExamHistory:
    """My assessment and exam history, newest first: date, score, pass mark, pass or fail, delivery.

    Filter with kind and result; page with the next_cursor of the previous answer (one query a page).
    """
    passed = None if result is None else result == "passed"
    page = exam_results.history(app.caller().account_id, kind=kind, passed=passed, cursor=cursor)
    return ExamHistory(
        results=[ExamResultOut.model_validate(item, from_attributes=True) for item in page.results],
        next_cursor=page.next_cursor,
    )


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_REST)
@metrics.log_metrics
def handler(event: dict, context: LambdaContext) -> dict:
    return app.resolve(event, context)
