"""Load the functions of template.yaml as Lambda would, and invoke them one event at a time."""

from __future__ import annotations

import importlib.util
import os
import sys
import threading
from collections.abc import Callable
from types import ModuleType
from typing import Any

from infra import template
from infra.events import LambdaContext

LAYER_PATH = str(template.ROOT / "layers" / "common" / "python")


def function_environment(parameters: dict[str, str]) -> dict[str, str]:
    """Every function's environment merged: locally all names resolve alike, so they cannot clash."""
    merged: dict[str, str] = {}
    for function in template.functions().values():
        for key, value in template.resolve_environment(function, parameters).items():
            if merged.get(key, value) != value:
                raise RuntimeError(f"{key} differs between functions: the local stack cannot run them together")
            merged[key] = value
    return merged


def prepare_process(parameters: dict[str, str] | None = None) -> None:
    """Make this process look like the Lambda runtime with the layer attached."""
    if LAYER_PATH not in sys.path:
        sys.path.insert(0, LAYER_PATH)
    os.environ.update(function_environment(parameters or template.parameter_values()))


class LocalFunction:
    """One function, loaded once (its cold start) and invoked serially, as one Lambda container."""

    def __init__(self, spec: template.Function) -> None:
        self.spec = spec
        self._lock = threading.Lock()
        self._handler: Callable[[dict[str, Any], Any], Any] | None = None
        self.module: ModuleType | None = None

    def load_module(self) -> ModuleType:
        self.load()
        assert self.module is not None
        return self.module

    def load(self) -> Callable[[dict[str, Any], Any], Any]:
        if self._handler is None:
            module_name, _, attribute = self.spec.handler.rpartition(".")
            path = self.spec.code_dir / f"{module_name}.py"
            unique = f"certtracker_functions.{self.spec.logical_id}"
            loader_spec = importlib.util.spec_from_file_location(unique, path)
            if loader_spec is None or loader_spec.loader is None:
                raise ImportError(f"cannot load {path}")
            module = importlib.util.module_from_spec(loader_spec)
            sys.modules[unique] = module
            loader_spec.loader.exec_module(module)
            self.module = module
            self._handler = getattr(module, attribute)
        return self._handler

    def invoke(self, event: dict[str, Any], *, serialized: bool = True) -> Any:
        """Run one event; `serialized=False` skips the container's lock (a burst test running many at once)."""
        handler = self.load()
        context = LambdaContext(self.spec.logical_id, self.spec.memory_mb, self.spec.timeout_s)
        if not serialized:
            return handler(event, context)
        with self._lock:
            return handler(event, context)


def load_functions() -> dict[str, LocalFunction]:
    return {name: LocalFunction(spec) for name, spec in template.functions().items()}
