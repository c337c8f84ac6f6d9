"""The API's documentation: the merged OpenAPI document of every function (Swagger UI's page over it, at
/api/docs, is a file of the web portal: web/swagger-ui/)."""

from __future__ import annotations

from pathlib import Path

from aws_lambda_powertools.event_handler import Response, content_types
from aws_lambda_powertools.utilities.typing import LambdaContext

from certtracker.core.api import CertTrackerResolver
from certtracker.core.observability import logger

app = CertTrackerResolver()

# Generated from the functions' resolvers by `make openapi`; a test fails when it is stale.
OPENAPI = (Path(__file__).parent / "openapi.json").read_text("utf-8")


@app.get("/openapi.json", include_in_schema=False)
def openapi_document() -> Response[str]:
    return Response(200, content_types.APPLICATION_JSON, OPENAPI, headers={"Cache-Control": "public, max-age=300"})


@logger.inject_lambda_context
def handler(event: dict, context: LambdaContext) -> dict:
    return app.resolve(event, context)
