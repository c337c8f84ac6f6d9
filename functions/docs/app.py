"""The API's documentation: the merged OpenAPI document of every function, and Swagger UI."""

from __future__ import annotations

from pathlib import Path

from aws_lambda_powertools.event_handler import Response, content_types
from aws_lambda_powertools.utilities.typing import LambdaContext

from certtracker.core.api import CertTrackerResolver
from certtracker.core.observability import logger
from certtracker.core.settings import DocsSettings, load

settings = load(DocsSettings)
app = CertTrackerResolver()

# Generated from the functions' resolvers by `make openapi`; a test fails when it is stale.
OPENAPI = (Path(__file__).parent / "openapi.json").read_text("utf-8")

SWAGGER_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>CertTracker API</title>
<link rel="stylesheet" href="{assets}/swagger-ui.css"></head>
<body><div id="swagger-ui"></div>
<script src="{assets}/swagger-ui-bundle.js"></script>
<script src="{assets}/swagger-initializer.js"></script>
</body></html>"""


@app.get("/openapi.json", include_in_schema=False)
def openapi_document() -> Response[str]:
    return Response(200, content_types.APPLICATION_JSON, OPENAPI, headers={"Cache-Control": "public, max-age=300"})


@app.get("/docs", include_in_schema=False)
def swagger_ui() -> Response[str]:
    assets = settings.swagger_ui_assets_url.rstrip("/")
    origin = "/".join(assets.split("/")[:3]) if assets.startswith("http") else "'self'"
    csp = f"default-src 'none'; script-src {origin}; style-src {origin}; img-src {origin} data:; connect-src 'self'"
    return Response(
        200,
        content_types.TEXT_HTML,
        SWAGGER_PAGE.format(assets=assets),
        headers={"Content-Security-Policy": csp, "Cache-Control": "public, max-age=300"},
    )


@logger.inject_lambda_context
def handler(event: dict, context: LambdaContext) -> dict:
    return app.resolve(event, context)
