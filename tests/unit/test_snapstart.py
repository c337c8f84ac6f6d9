"""SnapStart's hooks (certtracker.core.aws.after_restore), run as Lambda runs them: every function registers them at
INIT, and a restored environment shares no client, connection, cache or random state with the snapshot."""

from __future__ import annotations

import json
import random
import subprocess
import sys
from typing import Any

import pytest
import snapshot_restore_py

from certtracker.core import aws, outbound, tables
from certtracker.credentials import catalog
from infra import template

# Imports each function's handler in one process, each from nothing (certtracker's modules forgotten between
# them), with its own environment, and lists those that make AWS clients but whose INIT left no after-restore hook.
EACH_INIT = """
import json, sys
from infra import lambdas
lambdas.prepare_process()
import snapshot_restore_py as hooks
missing = []
for name, function in lambdas.load_functions().items():
    for module in [m for m in sys.modules if m.split(".")[0] in ("certtracker", "certtracker_functions")]:
        del sys.modules[module]
    hooks._after_restore_registry.clear()
    function.load_module()
    hooked = {f"{func.__module__}.{func.__qualname__}" for func, _, _ in hooks._after_restore_registry}
    # A function that makes no AWS client (the docs: a static document) has nothing a restore must make again.
    if "certtracker.core.aws" in sys.modules and "certtracker.core.aws.after_restore" not in hooked:
        missing.append(name)
print(json.dumps(missing))
"""


def _answer_of(script: str) -> Any:
    """Runs `script` in a fresh interpreter from the repository and reads the JSON of its last line."""
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=template.ROOT, capture_output=True, text=True, timeout=300, check=False
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_every_function_with_aws_clients_registers_the_after_restore_hook_at_init() -> None:
    assert _answer_of(EACH_INIT) == []


# Imports each function's handler from nothing, runs the before-snapshot hooks as Lambda does when it takes the
# snapshot, and lists the modules its routes import inside their bodies that are still not loaded.
BEFORE_SNAPSHOT = """
import ast, importlib.util, json, sys
from infra import lambdas
lambdas.prepare_process()
import snapshot_restore_py as hooks

def route_imports(path):
    found = set()
    for top in ast.parse(path.read_text()).body:
        if isinstance(top, ast.FunctionDef):
            for node in ast.walk(top):
                if isinstance(node, ast.ImportFrom) and node.module:
                    for alias in node.names:
                        name = f"{node.module}.{alias.name}"
                        found.add(name if importlib.util.find_spec(name) else node.module)
                elif isinstance(node, ast.Import):
                    found.update(alias.name for alias in node.names)
    return found

late = {}
for name, function in lambdas.load_functions().items():
    for module in [m for m in sys.modules if m.split(".")[0] in ("certtracker", "certtracker_functions")]:
        del sys.modules[module]
    hooks._before_snapshot_registry.clear()
    function.load_module()
    for hook, args, kwargs in hooks._before_snapshot_registry:
        hook(*args, **kwargs)
    path = function.spec.code_dir / (function.spec.handler.rpartition(".")[0] + ".py")
    if missing := sorted(m for m in route_imports(path) if m not in sys.modules):
        late[name] = missing
print(json.dumps(late))
"""


def test_with_snapstart_what_a_route_imports_where_it_is_used_is_loaded_before_the_snapshot() -> None:
    assert _answer_of(BEFORE_SNAPSHOT) == {}


def _restore() -> None:
    """What Lambda does on a restore: each registered hook, in order."""
    for hook, args, kwargs in snapshot_restore_py._after_restore_registry:
        hook(*args, **kwargs)


@pytest.fixture
def region(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "snapshot")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "snapshot")


def test_a_restored_environment_makes_its_clients_and_connections_again(region: None) -> None:
    assert (aws.after_restore, (), {}) in snapshot_restore_py._after_restore_registry
    before = (aws.client("dynamodb"), aws.presigner(), outbound._pool(), tables._connection())

    _restore()

    after = (aws.client("dynamodb"), aws.presigner(), outbound._pool(), tables._connection())
    assert all(old is not new for old, new in zip(before, after, strict=True))


def test_a_restored_environment_reads_its_caches_again(region: None) -> None:
    catalog._cache = (0.0, [])  # a catalog read before the snapshot
    _restore()
    assert catalog._cache is None


def test_two_environments_restored_from_one_snapshot_draw_different_random_numbers() -> None:
    snapshot = random.getstate()
    _restore()
    first = [random.random() for _ in range(4)]
    random.setstate(snapshot)  # a second environment, resumed from the same memory
    _restore()
    second = [random.random() for _ in range(4)]
    assert first != second
