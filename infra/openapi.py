"""Merge every function's OpenAPI document into one (Powertools OpenAPIMerge): `make openapi` writes it."""

from __future__ import annotations

import json
import sys
from typing import Any

from infra import lambdas, template

OUTPUT = template.ROOT / "functions" / "docs" / "openapi.json"


def merged_document() -> dict[str, Any]:
    lambdas.prepare_process(lambdas.process_parameters())  # keeps whatever the process was prepared with
    from aws_lambda_powertools.event_handler.openapi.merge import OpenAPIMerge
    from aws_lambda_powertools.event_handler.openapi.models import Server

    merge = OpenAPIMerge(
        title="CertTracker API",
        version="1.0.0",
        description=(
            "The self-service API of the accreditation and certification program. Errors are "
            '`{"error": {"code", "message"}}`. Log in with `POST /auth/login`, then send '
            "`Authorization: Bearer <token>` (or, from the browser, the session cookie and X-CSRF-Token)."
        ),
        servers=[Server(url="/api")],
        security_schemes={"session": {"type": "http", "scheme": "bearer"}},  # type: ignore[dict-item]
        on_conflict="error",
    )
    authorized = {(route.path, route.method.lower()) for route in template.routes() if route.authorized}
    for function in lambdas.load_functions().values():
        module_app = getattr(function.load_module(), "app", None)
        if module_app is None:
            continue
        schema = module_app.get_openapi_schema().model_dump(by_alias=True, exclude_none=True, mode="json")
        for path, operations in schema.get("paths", {}).items():
            for method, operation in operations.items():
                if (path, method) in authorized:
                    operation["security"] = [{"session": []}]
        merge.add_schema(schema)
    return merge.get_openapi_schema()


def render() -> str:
    return json.dumps(merged_document(), indent=2, sort_keys=True) + "\n"


if __name__ == "__main__":
    OUTPUT.write_text(render())
    print(f"wrote {OUTPUT.relative_to(template.ROOT)}", file=sys.stderr)
