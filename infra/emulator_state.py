"""The emulator's whole state (every moto backend of this process), saved once seeded and put back on demand: a handler
test or an e2e module starts from the seeded stack without creating and seeding it again.

Creating the template's tables, queues, buckets, secrets and keys and writing the seed costs about 0.3 s of CPU
through moto; a deep copy of the saved backends about 0.01 s. Every backend is copied in one go, so the references
between them (SESv2 sends through the SES backend) stay references between the copies.
"""

from __future__ import annotations

import copy
import gc
import threading
from dataclasses import dataclass
from types import BuiltinFunctionType, FunctionType, ModuleType
from typing import Any

from moto.core.base_backend import BackendDict, backend_lock

_LOCKS = (type(threading.Lock()), type(threading.RLock()), threading.Condition)


@dataclass(frozen=True)
class Saved:
    """Copies of the backends, each with the service, account and region it serves, and the locks inside them."""

    backends: list[tuple[BackendDict[Any], str, str, Any]]
    locks: list[Any]

    def copied(self) -> list[tuple[BackendDict[Any], str, str, Any]]:
        # A lock cannot be copied: each copy gets new ones. The BackendDicts are moto's registries, not state.
        memo: dict[int, Any] = {id(lock): type(lock)() for lock in self.locks}
        memo.update({id(registry): registry for registry, _, _, _ in self.backends})
        return copy.deepcopy(self.backends, memo)


def _locks_in(root: Any) -> list[Any]:
    """The locks (moto's SQS queues hold a Condition each) reachable from `root`, not looking into code or types."""
    found, seen, stack = [], set(), [root]
    while stack:
        item = stack.pop()
        if id(item) in seen or isinstance(item, type | ModuleType | FunctionType | BuiltinFunctionType):
            continue
        seen.add(id(item))
        if isinstance(item, _LOCKS):
            found.append(item)
            continue
        stack.extend(gc.get_referents(item))
    return found


def save() -> Saved:
    """Every backend the emulator holds now, copied."""
    with backend_lock:
        live = [
            (registry, account, region, backend)
            for registry in BackendDict._instances
            for account, region, backend in registry.iter_backends()
        ]
    taken = Saved(live, _locks_in([backend for _, _, _, backend in live]))
    backends = taken.copied()
    return Saved(backends, _locks_in([backend for _, _, _, backend in backends]))


def restore(saved: Saved) -> None:
    """The emulator as it was when `saved` was taken: whatever was made since is gone, whatever was changed is back.
    Nothing may be calling the emulator meanwhile."""
    backends = saved.copied()
    with backend_lock:
        for registry in BackendDict._instances:
            for per_account in registry.values():
                per_account.clear()
        for registry, account, region, backend in backends:
            dict.__setitem__(registry[account], region, backend)
