"""Cold import of each function in template.yaml, in fresh processes, as a ratio to the floor handler.

Measured on what `sam build` made (.aws-sam/build), laid on sys.path as Lambda lays it: the function's
directory (/var/task), then the layers (/opt/python), each with the bytecode it was built with.
"""

from __future__ import annotations

import json
import os
import platform
import py_compile
import shutil
import statistics
import subprocess
import sys
import tempfile
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from infra import template

# Two floors, each a bare handler: every function is measured against its own. Floor a is what any function
# imports (boto3, the Powertools Logger); floor b adds what every HTTP function needs (the validating REST
# resolver and one pydantic route).
FLOOR = "floor a (boto3 + Logger)"
FLOOR_DIR = Path(__file__).resolve().parent / "floor"
HTTP_FLOOR = "floor b (a + REST resolver with validation)"
HTTP_FLOOR_DIR = Path(__file__).resolve().parent / "floor_http"
# What a person waits for (the HTTP functions and the authorizer) stays within this ratio to its floor; queue
# consumers and scheduled functions are reported, not bound.
WAITED_BOUND = 1.10
BUILD_DIR = template.ROOT / ".aws-sam" / "build"


def _dependencies_layer() -> Path:
    """The built dependencies layer, or on a machine of another architecture than the functions' (arm64
    extension modules do not load on x86_64) its twin: the same recipe, lock and bytecode, with this
    machine's wheels, which `make bench` builds into .aws-sam/bench-<machine>."""
    (architecture,) = template.template()["Globals"]["Function"]["Architectures"]
    machine = platform.machine()
    if machine == {"arm64": "aarch64"}.get(architecture, architecture):
        return BUILD_DIR / "DependenciesLayer" / "python"
    return template.ROOT / ".aws-sam" / f"bench-{machine}" / "DependenciesLayer" / "python"


# Lambda extracts every layer into /opt, so both python/ folders are one /opt/python there.
LAYER_PATHS = [BUILD_DIR / "CommonLayer" / "python", _dependencies_layer()]
MARKER = "bench: the handler import starts"

# Runs in a fresh interpreter (-S: no site-packages, so nothing comes from the virtualenv that runs the bench)
# whose working directory is the function's code directory (Lambda's /var/task, first on sys.path). The clocks
# cover loading the handler module by file path, as the Lambda runtime does; the marker tells -X importtime's
# lines for the handler from the interpreter's own. The ratios are of CPU time: an import is CPU-bound, and its wall
# time also counts the moments another process held the core, which on a shared machine is most of the noise; the
# wall-time medians are reported beside them.
PROBE = f"""
import importlib.util, json, sys, time
path, attribute = sys.argv[1], sys.argv[2]
if len(sys.argv) > 3:  # another handler first, not timed: what is timed is then only what this one adds to it
    first = importlib.util.spec_from_file_location("first_under_bench", sys.argv[3])
    first.loader.exec_module(importlib.util.module_from_spec(first))
modules_before = len(sys.modules)
print({MARKER!r}, file=sys.stderr, flush=True)
start, cpu_start = time.perf_counter(), time.process_time()
spec = importlib.util.spec_from_file_location("handler_under_bench", path)
module = importlib.util.module_from_spec(spec)
sys.modules[spec.name] = module
spec.loader.exec_module(module)
getattr(module, attribute)
cpu, elapsed = time.process_time() - cpu_start, time.perf_counter() - start
print(json.dumps({{"cpu_ms": cpu * 1000, "ms": elapsed * 1000, "modules": len(sys.modules) - modules_before}}))
"""


@dataclass(frozen=True)
class Target:
    name: str
    code_dir: Path
    handler: str
    environment: dict[str, str]
    floor: str = FLOOR  # the name of the floor it is measured against (itself, for a floor)
    waited: bool = False  # someone waits for its cold start: bound to WAITED_BOUND times its floor

    @property
    def path(self) -> Path:
        module, _, _ = self.handler.rpartition(".")
        return self.code_dir / f"{module}.py"

    @property
    def attribute(self) -> str:
        return self.handler.rpartition(".")[2]


@dataclass
class Result:
    target: Target
    times_ms: list[float] = field(default_factory=list)  # CPU time of each import
    wall_ms: list[float] = field(default_factory=list)
    # Paired in one process each, so that the machine's noise mostly cancels (two medians of whole imports, each
    # moved by whatever else the machine runs, compare far less steadily): the CPU time of the import after its
    # floor's handler (what it adds to the floor), and of the floor's handler after it (what the floor loads that
    # it does without: boto3 and what only boto3 uses).
    above_ms: list[float] = field(default_factory=list)
    floor_only_ms: list[float] = field(default_factory=list)

    def paired_ratio(self, floor_ms: float) -> float | None:
        """Its cost as a ratio to its floor's, from the paired differences: 1 + (added - left out) / floor."""
        if not self.above_ms or not self.floor_only_ms:
            return None
        return 1 + (statistics.median(self.above_ms) - statistics.median(self.floor_only_ms)) / floor_ms

    modules: int = 0
    package_ms: dict[str, float] = field(default_factory=dict)  # median own time per top-level package
    imported_via: dict[str, str] = field(default_factory=dict)
    error: str | None = None

    @property
    def median_ms(self) -> float:
        return statistics.median(self.times_ms)

    def heaviest(self, count: int = 5) -> list[tuple[str, float, str]]:
        ranked = sorted(self.package_ms.items(), key=lambda item: item[1], reverse=True)[:count]
        return [(name, ms, self.imported_via.get(name, "")) for name, ms in ranked]


class NotBuilt(Exception):
    """The built artifacts are missing or were built for another Python: `make bench` builds them first."""


def check_built(functions: list[str]) -> None:
    runtime = template.template()["Globals"]["Function"]["Runtime"]
    running = f"python{sys.version_info.major}.{sys.version_info.minor}"
    if running != runtime:
        raise NotBuilt(f"the bench runs on {running}, the functions on {runtime}: their bytecode would not be read")
    missing = [path for path in [*LAYER_PATHS, *(BUILD_DIR / name for name in functions)] if not path.is_dir()]
    if missing:
        raise NotBuilt(f"not built: {', '.join(str(path) for path in missing)} (run `make build`)")


def targets(floor_dir: Path = FLOOR_DIR, http_floor_dir: Path = HTTP_FLOOR_DIR) -> list[Target]:
    """The two floors first, then every function of template.yaml, from its built directory, with its environment
    as the local stack resolves it: an HTTP function against floor b, any other against floor a."""
    parameters = template.parameter_values()
    globals_ = template.template().get("Globals", {}).get("Function", {})
    floor_env = {k: str(v) for k, v in globals_.get("Environment", {}).get("Variables", {}).items()}
    result = [
        Target(FLOOR, floor_dir, "app.handler", floor_env, floor=FLOOR),
        Target(HTTP_FLOOR, http_floor_dir, "app.handler", floor_env, floor=HTTP_FLOOR),
    ]
    http = {route.function for route in template.routes()}
    authorizer = template.authorizer_function()
    for name, function in template.functions().items():
        environment = template.resolve_environment(function, parameters)
        floor = HTTP_FLOOR if name in http else FLOOR
        waited = name in http or name == authorizer
        result.append(Target(name, BUILD_DIR / name, function.handler, environment, floor=floor, waited=waited))
    return result


def _environment(target: Target) -> dict[str, str]:
    # No AWS_* (no real account reachable at import); no PYTHON* but those set below. As on Lambda, nothing
    # writes bytecode (/var/task and /opt are read-only there): the handler module and the layers' modules come
    # from the .pyc they were built with.
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "PYTHON"))}
    env.update(target.environment)
    env.update(
        PYTHONPATH=os.pathsep.join(str(path) for path in LAYER_PATHS),
        PYTHONDONTWRITEBYTECODE="1",
        AWS_DEFAULT_REGION="us-east-1",
        POWERTOOLS_METRICS_DISABLED="true",
    )
    return env


def _run(
    target: Target, *, importtime: bool, after: Path | None = None, timed: Target | None = None
) -> tuple[dict[str, float], str]:
    """One fresh process in `target`'s directory and environment, timing the import of `timed`'s handler (by
    default `target`'s), after importing the handler at `after` untimed if given."""
    timed = timed or target
    command = [sys.executable, "-S", *(["-X", "importtime"] if importtime else []), "-c", PROBE]
    completed = subprocess.run(
        [*command, str(timed.path), timed.attribute, *([str(after)] if after else [])],
        cwd=target.code_dir,
        env=_environment(target),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    if completed.returncode != 0:
        tail = [line for line in completed.stderr.splitlines() if not line.startswith("import time:")][-3:]
        raise RuntimeError(" / ".join(tail) or f"exit status {completed.returncode}")
    return json.loads(completed.stdout.strip().splitlines()[-1]), completed.stderr


def package_times(stderr: str) -> tuple[dict[str, float], dict[str, str]]:
    """Milliseconds spent in each top-level package's own modules, and who imported most of it.

    -X importtime's cumulative column counts a package's dependencies inside it, so a package
    imported first by another would be counted twice; summing each module's own time per top-level
    package counts every millisecond once, and "via" keeps the cumulative story (what pulled it in).
    """
    lines = stderr.splitlines()
    if MARKER in lines:
        lines = lines[lines.index(MARKER) + 1 :]
    entries = []  # (depth, module, self_us), in the order imports finished (children before parents)
    for line in lines:
        if not line.startswith("import time:") or "imported package" in line:
            continue
        self_us, _cumulative, name_field = line.removeprefix("import time:").split("|", 2)
        name = name_field[1:]  # one space separates the column; the rest is two per level of nesting
        depth = (len(name) - len(name.lstrip(" "))) // 2
        entries.append((depth, name.strip(), int(self_us)))
    own_us: Counter[str] = Counter()
    via_us: defaultdict[str, Counter[str]] = defaultdict(Counter)
    ancestors: list[str] = []  # read backwards, each parent comes before its children
    for depth, module, self_us in reversed(entries):
        del ancestors[depth:]
        package = module.split(".")[0]
        importer = next((a.split(".")[0] for a in reversed(ancestors) if a.split(".")[0] != package), "handler")
        own_us[package] += self_us
        via_us[package][importer] += self_us
        ancestors.append(module)
    own_ms = {package: us / 1000 for package, us in own_us.items()}
    via = {package: importers.most_common(1)[0][0] for package, importers in via_us.items()}
    return own_ms, via


def measure(repeats: int, importtime_runs: int, progress: bool = True) -> list[Result]:
    """Every target `repeats` times, round-robin so drift of the machine spreads evenly, after one discarded
    run each (it warms the page cache)."""
    check_built(list(template.functions()))
    # Each floor's handler sits alone in a directory with its bytecode, as a built function's does
    # (functions/Makefile: unchecked-hash, as the layers).
    with (
        tempfile.TemporaryDirectory(prefix="bench-floor-") as floor_dir,
        tempfile.TemporaryDirectory(prefix="bench-floor-http-") as http_floor_dir,
    ):
        for source, directory in ((FLOOR_DIR, floor_dir), (HTTP_FLOOR_DIR, http_floor_dir)):
            handler = shutil.copy2(source / "app.py", directory)
            py_compile.compile(handler, doraise=True, invalidation_mode=py_compile.PycInvalidationMode.UNCHECKED_HASH)
        measured = targets(Path(floor_dir), Path(http_floor_dir))
        return _measure([Result(target) for target in measured], repeats, importtime_runs, progress)


def _measure(results: list[Result], repeats: int, importtime_runs: int, progress: bool) -> list[Result]:
    breakdowns: dict[str, list[dict[str, float]]] = defaultdict(list)

    floors = {result.target.name: result.target for result in results if result.target.floor == result.target.name}

    def attempt(
        result: Result, importtime: bool, after: Path | None = None, timed: Target | None = None
    ) -> tuple[dict[str, float], str] | None:
        if result.error:
            return None
        try:
            return _run(result.target, importtime=importtime, after=after, timed=timed)
        except (RuntimeError, subprocess.TimeoutExpired) as error:
            result.error = str(error)
            return None

    for result in results:
        attempt(result, importtime=False)
    for round_ in range(repeats):
        if progress:
            print(f"  cold import: round {round_ + 1}/{repeats}", file=sys.stderr, flush=True)
        for result in results:
            outcome = attempt(result, importtime=False)
            if outcome:
                result.times_ms.append(outcome[0]["cpu_ms"])
                result.wall_ms.append(outcome[0]["ms"])
                result.modules = int(outcome[0]["modules"])
            if result.target.floor != result.target.name:
                floor = floors[result.target.floor]
                if added := attempt(result, importtime=False, after=floor.path):
                    result.above_ms.append(added[0]["cpu_ms"])
                if left_out := attempt(result, importtime=False, after=result.target.path, timed=floor):
                    result.floor_only_ms.append(left_out[0]["cpu_ms"])
    for _ in range(importtime_runs):
        for result in results:
            outcome = attempt(result, importtime=True)
            if outcome:
                own_ms, via = package_times(outcome[1])
                breakdowns[result.target.name].append(own_ms)
                result.imported_via.update(via)
    for result in results:
        runs = breakdowns[result.target.name]
        packages = {name for run in runs for name in run}
        result.package_ms = {name: statistics.median(run.get(name, 0.0) for run in runs) for name in packages}
    return results
