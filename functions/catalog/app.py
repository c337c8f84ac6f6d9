"""The public exam catalog: exams and assessments, filterable, cacheable."""

from __future__ import annotations

import hashlib
from typing import Annotated, Literal

from aws_lambda_powertools.event_handler import Response, content_types
from aws_lambda_powertools.event_handler.openapi.params import Query
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext

from certtracker.contract.catalog import Exam, ExamCatalog
from certtracker.core.api import CertTrackerResolver, error_responses
from certtracker.core.observability import logger, metrics
from certtracker.core.settings import CatalogSettings, load
from certtracker.exams import catalog

settings = load(CatalogSettings)
app = CertTrackerResolver()

CACHE_CONTROL = "public, max-age=300"


@app.get(
    "/catalog/exams",
    tags=["catalog"],
    responses={**error_responses(422), 304: {"description": "Not modified (If-None-Match)", "content": {}}},
)
def list_exams(
    kind: Annotated[Literal["exam", "assessment"] | None, Query()] = None,
    track: Annotated[str | None, Query(min_length=1, max_length=64)] = None,
) -> Response[ExamCatalog | None]:
    """The exams (proctored, at Pearson VUE) and assessments (online), retired ones with their replacement.

    Cacheable: answers carry an ETag, and If-None-Match with it gets 304 Not Modified.
    """
    answer = ExamCatalog(exams=[Exam.model_validate(exam) for exam in catalog.list_exams(kind=kind, track=track)])
    etag = '"' + hashlib.sha256(answer.model_dump_json().encode()).hexdigest()[:32] + '"'
    headers = {"ETag": etag, "Cache-Control": CACHE_CONTROL}
    if etag in (app.current_event.headers.get("if-none-match") or ""):
        return Response(304, headers=headers)
    return Response(200, content_types.APPLICATION_JSON, answer, headers=headers)


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_REST)
@metrics.log_metrics
def handler(event: dict, context: LambdaContext) -> dict:
    return app.resolve(event, context)
