"""Swagger UI at /api/docs: a page of the web bucket under every page's headers, its files from the pinned
package, nothing from another origin."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from infra import swagger_ui, template

WEB = template.ROOT / "web"


def _distribution() -> dict[str, Any]:
    return template.template()["Resources"]["WebDistribution"]["Properties"]["DistributionConfig"]


def test_api_docs_is_a_page_of_the_web_bucket_served_with_every_pages_headers() -> None:
    assert template.page_aliases() == {"/api/docs": "/swagger-ui/index.html"}
    behaviors = _distribution()["CacheBehaviors"]
    patterns = [behavior["PathPattern"] for behavior in behaviors]
    pages = _distribution()["DefaultCacheBehavior"]
    for path, file in template.page_aliases().items():
        assert (WEB / file.lstrip("/")).is_file(), file
        (behavior,) = [b for b in behaviors if b["PathPattern"] == path]
        # CloudFront takes the first pattern that matches: ahead of /api/*, or the API would answer it.
        assert patterns.index(path) < patterns.index("/api/*")
        assert behavior["TargetOriginId"] == pages["TargetOriginId"]
        assert behavior["ResponseHeadersPolicyId"] == pages["ResponseHeadersPolicyId"] == {"Ref": "WebHeadersPolicy"}
        assert behavior["FunctionAssociations"] == pages["FunctionAssociations"]  # the routing function aliases it
        assert behavior["AllowedMethods"] == ["GET", "HEAD"]


def test_the_api_no_longer_serves_a_page_of_its_own() -> None:
    routes = {(route.path, route.method) for route in template.routes()}
    assert ("/openapi.json", "GET") in routes
    assert not [path for path, _ in routes if path == "/docs"]
    assert "SwaggerUiAssetsUrl" not in template.template()["Parameters"]


def _references(page: Path) -> list[str]:
    """What the page loads: the address each script, stylesheet, icon, image or frame names."""
    element = r"""<(?:script|link|img|iframe|source|embed)\b[^>]*?\b(?:src|href)\s*=\s*["']?([^"'\s>]+)"""
    return re.findall(element, page.read_text())


def test_no_page_loads_anything_from_another_origin() -> None:
    pages = sorted(WEB.rglob("*.html"))
    assert WEB / "swagger-ui" / "index.html" in pages
    for page in pages:
        for reference in _references(page):
            # A path on this origin (not //host/...), or data: (the portal's empty favicon).
            assert re.match(r"/(?!/)|data:", reference), f"{page.relative_to(WEB)} loads {reference}"
    for script in WEB.rglob("*.js"):
        assert not re.search(r"""\bimport\b[^;]*["'](?:https?:)?//""", script.read_text()), script


def test_swagger_uis_page_loads_its_files_and_the_projects_initializer_from_swagger_ui() -> None:
    references = _references(WEB / "swagger-ui" / "index.html")
    assert references == [
        "/swagger-ui/favicon-32x32.png",
        "/swagger-ui/swagger-ui.css",
        "/swagger-ui/swagger-ui-bundle.js",
        "/swagger-ui/initializer.js",
    ]
    for reference in references:
        relative = reference.lstrip("/")
        assert swagger_ui.served_file(relative) or (WEB / relative).is_file(), reference
    initializer = (WEB / "swagger-ui" / "initializer.js").read_text()
    assert 'url: "/api/openapi.json"' in initializer
    assert "validatorUrl: null" in initializer  # else a badge image from validator.swagger.io


def test_swagger_uis_files_are_the_pinned_packages_bytes(tmp_path: Path) -> None:
    lock = (template.ROOT / "requirements-dev.txt").read_text()
    assert re.search(r"^swagger-ui-py==[\d.]+ \\\n\s+--hash=sha256:[0-9a-f]{64}", lock, re.MULTILINE)
    swagger_ui.copy_to(tmp_path)
    assert sorted(path.name for path in tmp_path.iterdir()) == sorted(swagger_ui.FILES)
    for name in swagger_ui.FILES:
        served = swagger_ui.served_file(f"swagger-ui/{name}")
        assert served is not None
        assert (tmp_path / name).read_bytes() == served.read_bytes()
        assert not (WEB / "swagger-ui" / name).exists(), f"{name} is the package's, not a copy in web/"
    assert swagger_ui.served_file("swagger-ui/swagger-initializer.js") is None  # the stock one points at Petstore
    assert swagger_ui.served_file("elsewhere/swagger-ui.css") is None
