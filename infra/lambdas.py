"""Load the functions of template.yaml as Lambda would, and invoke them, each with only its own environment.

Every function runs in this one process (the handler tests, `make run`), so `os.environ` is made
context-local: inside an invocation (and its cold start) it holds that function's variables and
nothing of another function's, for the whole invocation, whichever other functions run meanwhile
on other threads. Outside any invocation (test code, seeding, the local tools) it is the harness's
environment: every function's variables merged, so tests can read any table.
"""

from __future__ import annotations

import contextlib
import importlib.util
import os
import sys
import threading
from collections.abc import Callable, Iterator
from contextvars import ContextVar
from functools import cache
from types import ModuleType
from typing import Any

from infra import template
from infra.events import LambdaContext

LAYER_PATH = str(template.ROOT / "layers" / "common" / "python")
# Where the certificates layer's fonts are on this machine (`make fonts`); on Lambda the layer puts them in
# /opt/fonts, the renderer's default. A runtime variable, as /opt is: no function declares it.
FONTS_DIR = template.ROOT / ".fonts" / "fonts"

# The function being invoked in this context (thread), for the environment and for infra/iam.py.
CURRENT_FUNCTION: ContextVar[str | None] = ContextVar("CURRENT_FUNCTION", default=None)
# The template parameters its container was deployed with (its grants may depend on them: infra/iam.py).
CURRENT_PARAMETERS: ContextVar[dict[str, str] | None] = ContextVar("CURRENT_PARAMETERS", default=None)
# Its environment, encoded as os.environ stores it; None outside an invocation.
_FUNCTION_DATA: ContextVar[dict[Any, Any] | None] = ContextVar("_FUNCTION_DATA", default=None)
_parameters: dict[str, str] | None = None


class _FunctionEnviron(os._Environ):  # type: ignore[type-arg,misc]
    """os.environ whose contents are the invoked function's inside an invocation.

    The class of the one os.environ object is switched (not the object replaced), so every module
    that kept a reference to it (botocore's credential and config providers do) sees the switch.
    Writes inside an invocation stay in that invocation's copy and never reach the C environment.
    """

    @property  # type: ignore[override]
    def _data(self) -> dict[Any, Any]:
        own = _FUNCTION_DATA.get()
        return own if own is not None else self.__dict__["_data"]

    def __setitem__(self, key: str, value: str) -> None:
        if _FUNCTION_DATA.get() is None:
            super().__setitem__(key, value)
        else:
            self._data[self.encodekey(key)] = self.encodevalue(value)

    def __delitem__(self, key: str) -> None:
        if _FUNCTION_DATA.get() is None:
            super().__delitem__(key)
        else:
            del self._data[self.encodekey(key)]


def _install_function_environ() -> None:
    if type(os.environ) is os._Environ:
        os.environ.__class__ = _FunctionEnviron


def harness_environment() -> dict[str, str]:
    """The process's own variables, whatever the current context (what the tests and tools see)."""
    environ = os.environ
    data = environ.__dict__["_data"]
    return {environ.decodekey(key): environ.decodevalue(value) for key, value in data.items()}


@cache
def declared_variables() -> frozenset[str]:
    """Every variable some function of the template declares (Globals included)."""
    return frozenset(name for function in template.functions().values() for name in function.environment)


def function_environment(parameters: dict[str, str]) -> dict[str, str]:
    """Every function's environment merged, for the harness: locally all names resolve alike, so they cannot clash."""
    merged: dict[str, str] = {}
    for function in template.functions().values():
        for key, value in template.resolve_environment(function, parameters).items():
            if merged.get(key, value) != value:
                raise RuntimeError(f"{key} differs between functions: the local stack cannot run them together")
            merged[key] = value
    return merged


def prepare_process(parameters: dict[str, str] | None = None, *, missing_grant: str = "raise") -> None:
    """Make this process look like the Lambda runtime with the layer attached, and IAM checked.

    `parameters` are the template's parameter values the functions' environments resolve with;
    `missing_grant` is what an AWS call without a grant does (infra/iam.py): "raise" (tests) or "deny".
    """
    global _parameters
    _parameters = dict(parameters or template.parameter_values())
    if LAYER_PATH not in sys.path:
        sys.path.insert(0, LAYER_PATH)
    _install_function_environ()
    os.environ.setdefault("CERTIFICATE_FONTS_DIR", str(FONTS_DIR))
    os.environ.update(function_environment(_parameters))
    from infra import emulator, iam

    iam.install("deny" if missing_grant == "deny" else "raise")
    emulator.make_dynamodb_atomic()
    emulator.make_transactions_item_sized()


def process_parameters() -> dict[str, str]:
    return dict(_parameters or template.parameter_values())


class LocalFunction:
    """One function, loaded once (its cold start), invoked as one Lambda container (serially) by default."""

    def __init__(self, spec: template.Function, parameters: dict[str, str] | None = None) -> None:
        self.spec = spec
        self.parameters = dict(parameters or process_parameters())
        self._lock = threading.Lock()
        self._load_lock = threading.Lock()
        self._handler: Callable[[dict[str, Any], Any], Any] | None = None
        self.module: ModuleType | None = None

    def environment(self) -> dict[str, str]:
        """What this function sees: the runtime's variables (the process's, less what any function
        declares: AWS_*, the emulator's endpoint, POWERTOOLS_* overrides, PATH) and its template entry's."""
        declared = declared_variables()
        runtime = {key: value for key, value in harness_environment().items() if key not in declared}
        return runtime | template.resolve_environment(self.spec, self.parameters)

    @contextlib.contextmanager
    def running(self) -> Iterator[None]:
        """Inside: this context is this function (its environment, its IAM grants), until the block ends."""
        _install_function_environ()
        environ = os.environ
        data = {environ.encodekey(key): environ.encodevalue(value) for key, value in self.environment().items()}
        function_token = CURRENT_FUNCTION.set(self.spec.logical_id)
        parameters_token = CURRENT_PARAMETERS.set(self.parameters)
        data_token = _FUNCTION_DATA.set(data)
        try:
            yield
        finally:
            _FUNCTION_DATA.reset(data_token)
            CURRENT_PARAMETERS.reset(parameters_token)
            CURRENT_FUNCTION.reset(function_token)

    def load_module(self) -> ModuleType:
        with self.running():
            self.load()
        assert self.module is not None
        return self.module

    def load(self) -> Callable[[dict[str, Any], Any], Any]:
        """Import the handler (the cold start); call inside running(), so it reads its own environment."""
        with self._load_lock:
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
        """One invocation. serialized=True: one at a time, as one warm container (the local gateway);
        False: concurrently with other threads' invocations, as several containers would (concurrency tests)."""
        with self._lock if serialized else contextlib.nullcontext(), self.running():
            handler = self.load()
            return handler(event, LambdaContext(self.spec.logical_id, self.spec.memory_mb, self.spec.timeout_s))


def load_functions(parameters: dict[str, str] | None = None) -> dict[str, LocalFunction]:
    return {name: LocalFunction(spec, parameters) for name, spec in template.functions().items()}
