"""template.yaml, the functions and the committed OpenAPI document cannot drift apart."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from infra import lambdas, openapi, template

IMPORT_HANDLER = """
import importlib.util, sys
spec = importlib.util.spec_from_file_location("handler_under_test", sys.argv[1])
module = importlib.util.module_from_spec(spec)
spec.loader.exec_module(module)
"""


def _bare_environment() -> dict[str, str]:
    keep = ("PATH", "HOME", "LANG", "SYSTEMROOT")
    env = {key: os.environ[key] for key in keep if key in os.environ}
    env.update(PYTHONPATH=lambdas.LAYER_PATH, AWS_DEFAULT_REGION="us-east-1", POWERTOOLS_METRICS_DISABLED="true")
    return env


def _cold_start(name: str, *, without: str | None = None) -> subprocess.CompletedProcess[str]:
    """Import a function's handler in a fresh process with only the environment the template gives it."""
    function = template.functions()[name]
    env = _bare_environment()
    env.update(template.resolve_environment(function, template.parameter_values()))
    env.pop(without or "", None)
    handler = function.code_dir / (function.handler.rpartition(".")[0] + ".py")
    command = [sys.executable, "-c", IMPORT_HANDLER, str(handler)]
    return subprocess.run(command, env=env, capture_output=True, text=True, timeout=60, check=False)


@pytest.mark.parametrize("name", sorted(template.functions()))
def test_each_function_starts_with_only_the_environment_the_template_gives_it(name: str) -> None:
    started = _cold_start(name)
    assert started.returncode == 0, started.stderr[-3000:]


def test_a_function_missing_a_variable_stops_at_cold_start_with_a_clear_message() -> None:
    started = _cold_start("AccountsFunction", without="ACCOUNTS_TABLE")
    assert started.returncode != 0
    assert "AccountsSettings: missing or invalid environment variables: ACCOUNTS_TABLE" in started.stderr


def test_the_committed_openapi_document_is_what_the_functions_generate() -> None:
    assert openapi.OUTPUT.read_text() == openapi.render(), "run `make openapi` and commit the result"


def test_every_routed_operation_is_in_the_openapi_document_and_no_other() -> None:
    document = openapi.merged_document()
    documented = {(path, method.upper()) for path, operations in document["paths"].items() for method in operations}
    routed = {(r.path, r.method) for r in template.routes() if r.function != "DocsFunction"}
    assert documented == routed


def test_logged_in_operations_are_marked_as_needing_a_session() -> None:
    document = openapi.merged_document()
    for route in template.routes():
        if route.function == "DocsFunction":
            continue
        operation = document["paths"][route.path][route.method.lower()]
        assert ("security" in operation) == route.authorized, route
