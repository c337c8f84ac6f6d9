"""The public catalogs: exams and assessments, and the credentials they lead to; filterable, cacheable."""

from __future__ import annotations

import hashlib
from typing import Annotated, Literal

from aws_lambda_powertools.event_handler import Response, content_types
from aws_lambda_powertools.event_handler.openapi.params import Query
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext

from certtracker.contract.catalog import (
    Credential,
    CredentialCatalog,
    CredentialIdPath,
    Exam,
    ExamCatalog,
    ExamVersion,
    Recertification,
    Requirement,
)
from certtracker.core.api import CertTrackerResolver, Model, error_responses
from certtracker.core.observability import logger, metrics
from certtracker.core.settings import CatalogSettings, load
from certtracker.credentials import catalog as credentials
from certtracker.credentials import requirements
from certtracker.exams import catalog

settings = load(CatalogSettings)
app = CertTrackerResolver()

CACHE_CONTROL = "public, max-age=300"
NOT_MODIFIED = {304: {"description": "Not modified (If-None-Match)", "content": {}}}


@app.get("/catalog/exams", tags=["catalog"], responses={**error_responses(422), **NOT_MODIFIED})
def list_exams(
    kind: Annotated[Literal["exam", "assessment"] | None, Query()] = None,
    track: Annotated[str | None, Query(min_length=1, max_length=64)] = None,
) -> Response[ExamCatalog | None]:
    """The exams (proctored, at Pearson VUE) and assessments (online), retired ones with their replacement.

    Cacheable: answers carry an ETag, and If-None-Match with it gets 304 Not Modified.
    """
    return _cacheable(
        ExamCatalog(exams=[Exam.model_validate(exam) for exam in catalog.list_exams(kind=kind, track=track)])
    )


@app.get("/catalog/credentials", tags=["catalog"], responses={**error_responses(422), **NOT_MODIFIED})
def list_credentials(
    kind: Annotated[Literal["accreditation", "certification"] | None, Query()] = None,
    track: Annotated[str | None, Query(min_length=1, max_length=64)] = None,
) -> Response[CredentialCatalog | None]:
    """The accreditations (online assessments) and certifications (proctored exams), with their requirements.

    Each requirement tree names the exam versions that count, retired ones included where they still do.
    Cacheable: answers carry an ETag, and If-None-Match with it gets 304 Not Modified.
    """
    found = credentials.list_credentials(kind=kind, track=track)
    return _cacheable(CredentialCatalog(credentials=[_credential(credential) for credential in found]))


@app.get(
    "/catalog/credentials/<credential_id>",
    tags=["catalog"],
    responses={**error_responses(404, 422), **NOT_MODIFIED},
)
def get_credential(
    credential_id: CredentialIdPath,
) -> Response[Credential | None]:
    """One credential: what it requires, how long it is valid, and how it is renewed.

    Cacheable: answers carry an ETag, and If-None-Match with it gets 304 Not Modified.
    """
    return _cacheable(_credential(credentials.get_credential(credential_id)))


def _cacheable[T: Model](answer: T) -> Response[T | None]:
    etag = '"' + hashlib.sha256(answer.model_dump_json().encode()).hexdigest()[:32] + '"'
    headers = {"ETag": etag, "Cache-Control": CACHE_CONTROL}
    if etag in (app.current_event.headers.get("if-none-match") or ""):
        return Response(304, headers=headers)
    return Response(200, content_types.APPLICATION_JSON, answer, headers=headers)


def _credential(credential: credentials.Credential) -> Credential:
    def node(tree: requirements.Node) -> Requirement:
        match tree:
            case requirements.AllOf(children) | requirements.AnyOf(children):
                kind: Literal["all_of", "any_of"] = "all_of" if isinstance(tree, requirements.AllOf) else "any_of"
                return Requirement(type=kind, children=[node(c) for c in children], exams=[])
            case requirements.NOf(count, children):
                return Requirement(type="n_of", count=count, children=[node(c) for c in children], exams=[])
            case requirements.ExamRequirement(exam_ids, within_months):
                versions = [
                    ExamVersion(exam_id=i, title=title, retired=retired)
                    for i in exam_ids
                    for title, retired in [catalog.title_and_retired(i)]
                ]
                return Requirement(type="exam", children=[], exams=versions, within_months=within_months)
            case requirements.CredentialRequirement(prerequisite):
                return Requirement(type="credential", children=[], exams=[], credential_id=prerequisite)

    return Credential(
        credential_id=credential.credential_id,
        kind=credential.kind,
        level=credential.level,
        title=credential.title,
        track=credential.track,
        description=credential.description,
        validity_months=credential.validity_months,
        requirements=node(credential.requirements),
        recertification=Recertification(
            renewal_window_days=credential.recertification.renewal_window_days,
            requirements=node(credential.recertification.requirements),
        ),
    )


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_REST)
@metrics.log_metrics
def handler(event: dict, context: LambdaContext) -> dict:
    return app.resolve(event, context)
