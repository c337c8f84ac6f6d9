"""What `sam build` ships: every runtime package locked with its hashes, layers for the template's runtime and
architecture without the packages' tests, functions of exactly their declared files, and bytecode for every module
in unchecked-hash mode with nothing from the work tree's caches."""

from __future__ import annotations

import fnmatch
import importlib.metadata
import importlib.util
import json
import os
import shutil
import subprocess
import sys
import tomllib
from dataclasses import dataclass
from pathlib import Path

import pytest
from packaging.markers import Marker
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from infra import template

ROOT = template.ROOT
RUNTIME_INPUT = ROOT / "layers" / "dependencies" / "requirements.in"
RUNTIME_LOCK = ROOT / "layers" / "dependencies" / "requirements.txt"
DEV_LOCK = ROOT / "requirements-dev.txt"
BUILD_DIR = ROOT / ".aws-sam" / "build"
LAYERS = ("CommonLayer", "DependenciesLayer", "CertificatesLayer")
# The layers built from a lock of third-party packages: (layer, its requirements.in, its lock).
LOCKED_LAYERS = {
    "DependenciesLayer": (RUNTIME_INPUT, RUNTIME_LOCK),
    "CertificatesLayer": (
        ROOT / "layers" / "certificates" / "requirements.in",
        ROOT / "layers" / "certificates" / "requirements.txt",
    ),
}


@dataclass(frozen=True)
class Locked:
    requirement: Requirement
    hashes: frozenset[str]

    @property
    def version(self) -> str:
        (specifier,) = self.requirement.specifier
        return specifier.version


def read_lock(path: Path) -> dict[str, Locked]:
    """A lock made by `make lock`: one `name==version [; marker]` per package, each followed by its hashes."""
    text = path.read_text().replace("\\\n", " ")
    result = {}
    for line in text.splitlines():
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        spec, *hashes = line.split(" --hash=")
        requirement = Requirement(spec.strip())
        result[canonicalize_name(requirement.name)] = Locked(requirement, frozenset(h.strip() for h in hashes))
    return result


def read_input(path: Path) -> dict[str, Requirement]:
    lines = (line.split("#", 1)[0].strip() for line in path.read_text().splitlines())
    return {canonicalize_name(r.name): r for r in (Requirement(line) for line in lines if line)}


def runtime() -> tuple[str, str]:
    """The Lambda runtime's Python version and architecture, as template.yaml's Globals give them."""
    globals_ = template.template()["Globals"]["Function"]
    (architecture,) = globals_["Architectures"]
    return globals_["Runtime"].removeprefix("python"), architecture


def lambda_environment(extra: str = "") -> dict[str, str]:
    """The marker environment of the Lambda runtime, to follow dependencies as pip does when building the layer."""
    version, architecture = runtime()
    return {
        "python_version": version,
        "python_full_version": f"{version}.0",
        "platform_machine": "aarch64" if architecture == "arm64" else "x86_64",
        "sys_platform": "linux",
        "platform_system": "Linux",
        "os_name": "posix",
        "implementation_name": "cpython",
        "platform_python_implementation": "CPython",
        "extra": extra,
    }


@pytest.mark.parametrize("layer", LOCKED_LAYERS)
def test_every_runtime_package_is_pinned_with_its_hashes(layer: str) -> None:
    lock = read_lock(LOCKED_LAYERS[layer][1])
    assert lock, "the runtime lock is empty"
    for name, locked in lock.items():
        assert [s.operator for s in locked.requirement.specifier] == ["=="], f"{name} is not pinned with =="
        assert locked.hashes, f"{name} has no hash"
        assert all(h.startswith("sha256:") for h in locked.hashes), name


@pytest.mark.parametrize("layer", LOCKED_LAYERS)
def test_the_lock_holds_exactly_what_its_input_brings_in(layer: str) -> None:
    """Each package of requirements.in at a version it allows, and the packages they depend on on Lambda's
    platform (followed through the installed packages' metadata), no fewer and no more: a lock that its
    input has moved away from fails here until `make lock` is run."""
    source, locked = LOCKED_LAYERS[layer]
    lock, wanted = read_lock(locked), read_input(source)
    for name, requirement in wanted.items():
        if name not in lock:
            pytest.fail(f"{name} is in requirements.in but not in the lock: run `make lock`")
        assert requirement.specifier.contains(lock[name].version, prereleases=True), (
            f"requirements.in asks for {requirement}, the lock has {lock[name].version}: run `make lock`"
        )
    needed: set[str] = set()
    seen: set[tuple[str, frozenset[str]]] = set()
    pending = [(name, frozenset(r.extras)) for name, r in wanted.items()]
    while pending:
        name, extras = pending.pop()
        if (name, extras) in seen:
            continue
        seen.add((name, extras))
        needed.add(name)
        for line in importlib.metadata.requires(name) or []:
            dependency = Requirement(line)
            marker: Marker | None = dependency.marker
            applies = marker is None or any(marker.evaluate(lambda_environment(extra)) for extra in {"", *extras})
            if applies:
                pending.append((canonicalize_name(dependency.name), frozenset(dependency.extras)))
    assert sorted(needed - lock.keys()) == [], "packages the runtime needs that the lock does not pin"
    assert sorted(lock.keys() - needed) == [], "packages in the lock that nothing needs: run `make lock`"


@pytest.mark.parametrize("layer", LOCKED_LAYERS)
def test_the_tests_run_against_exactly_the_packages_that_ship(layer: str) -> None:
    """The dev lock pins every runtime package at the layer's version with the same hashes, and the virtualenv
    running these tests has those versions installed."""
    runtime_lock, dev_lock = read_lock(LOCKED_LAYERS[layer][1]), read_lock(DEV_LOCK)
    for name, locked in runtime_lock.items():
        assert name in dev_lock, f"{name} ships in the layer but is not in requirements-dev.txt: run `make lock`"
        assert dev_lock[name].version == locked.version, f"{name}: dev {dev_lock[name].version}, layer {locked.version}"
        assert dev_lock[name].hashes == locked.hashes, f"{name}: the two locks know different files"
        installed = importlib.metadata.version(name)
        assert installed == locked.version, f"{name} {installed} is installed, the layer ships {locked.version}"


def test_every_layer_is_built_for_the_runtime_and_architecture_of_the_functions() -> None:
    version, architecture = runtime()
    for name in LAYERS:
        layer = template.resources("AWS::Serverless::LayerVersion")[name]
        assert layer["Properties"]["CompatibleRuntimes"] == [f"python{version}"], name
        assert layer["Properties"]["CompatibleArchitectures"] == [architecture], name
        assert layer["Metadata"] == {"BuildMethod": "makefile", "BuildArchitecture": architecture}, name
    # The layer Makefiles read the same Globals; the tools check and type the code for that version.
    made = make_print("layers/runtime.mk", "$(LAMBDA_PYTHON) $(LAMBDA_ARCH)")
    assert made.split() == [version, "aarch64" if architecture == "arm64" else "x86_64"]
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())
    major, minor = version.split(".")
    assert pyproject["project"]["requires-python"] == f">={version},<{major}.{int(minor) + 1}"
    assert pyproject["tool"]["mypy"]["python_version"] == version
    assert pyproject["tool"]["ruff"]["target-version"] == f"py{major}{minor}"
    assert f"{sys.version_info.major}.{sys.version_info.minor}" == version, "the dev virtualenv is not the runtime's"


def make(*arguments: str, cwd: Path = ROOT, env: dict[str, str] | None = None) -> str:
    """Runs make quietly (-s) and gives what it printed; a failing recipe fails the test."""
    made = subprocess.run(
        ["make", "-s", "--no-print-directory", *arguments], cwd=cwd, env=env, capture_output=True, text=True, check=True
    )
    return made.stdout.strip()


def make_print(makefile: str, expression: str, env: dict[str, str] | None = None) -> str:
    """What `expression` expands to in `makefile`, as the builds see it."""
    return make("-f", makefile, "--eval", f"print: ; @echo {expression}", "print", env=env)


def make_variable(name: str, env: dict[str, str]) -> str:
    """A variable of layers/runtime.mk, as the layer Makefiles and the project's Makefile see it."""
    return make_print("layers/runtime.mk", f"$({name})", env)


def build_as_sam_does(makefile: Path, logical_id: str, source: Path, artifacts: Path) -> None:
    """A build recipe run as SAM runs it: in a copy of the source folder, ARTIFACTS_DIR set, with the running
    (the runtime's) Python."""
    env = {**os.environ, "ARTIFACTS_DIR": str(artifacts), "LAMBDA_PYTHON_EXE": sys.executable}
    make("-f", str(makefile), f"build-{logical_id}", cwd=source, env=env)


def write_script(path: Path, body: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"#!/bin/sh\n{body}\n")
    path.chmod(0o755)
    return path


def test_the_builds_find_the_runtimes_python_in_pyenv_when_the_one_on_path_is_a_failing_shim(tmp_path: Path) -> None:
    """On these machines and CI, python3.x on PATH is a pyenv shim that fails when pyenv's selected versions lack
    it: the builds then take the newest pyenv build of that version (not a free-threaded one, not another minor)."""
    version, _ = runtime()
    exe = f"python{version}"
    shims, root = tmp_path / "shims", tmp_path / "pyenv"
    write_script(shims / exe, f"echo 'pyenv: {exe}: command not found' >&2; exit 127")
    write_script(shims / "pyenv", f"echo {root}")
    for build in ("0", "2", "10", "11t"):
        write_script(root / "versions" / f"{version}.{build}" / "bin" / exe, "exit 0")
    write_script(root / "versions" / f"{version}-dev" / "bin" / exe, "exit 0")
    env = {k: v for k, v in os.environ.items() if k != "LAMBDA_PYTHON_EXE"}
    env["PATH"] = f"{shims}:/usr/bin:/bin"
    assert make_variable("LAMBDA_PYTHON_EXE", env) == str(root / "versions" / f"{version}.10" / "bin" / exe)
    # A working python3.x on PATH comes first.
    (tmp_path / "bin").mkdir()
    (tmp_path / "bin" / exe).symlink_to(sys.executable)
    env["PATH"] = f"{tmp_path / 'bin'}:{env['PATH']}"
    assert make_variable("LAMBDA_PYTHON_EXE", env) == str(tmp_path / "bin" / exe)


def assert_bytecode_for_every_module(layer: Path) -> None:
    """Every .py has its .pyc for the running (the runtime's) Python, in unchecked-hash mode and compiled from
    that very source; no other .pyc at all (a leaked work-tree cache would be timestamp-based or orphaned)."""
    tag = sys.implementation.cache_tag
    sources = sorted(layer.rglob("*.py"))
    assert sources, f"{layer} holds no module"
    for source in sources:
        compiled = Path(importlib.util.cache_from_source(str(source)))
        assert compiled.is_file(), f"no bytecode for {source.relative_to(layer)}"
        header = compiled.read_bytes()[:16]
        assert header[:4] == importlib.util.MAGIC_NUMBER, f"{compiled} is not {tag}'s bytecode"
        flags = int.from_bytes(header[4:8], "little")
        assert flags == 0b01, f"{compiled} is not in unchecked-hash mode (flags {flags:#b})"
        assert header[8:16] == importlib.util.source_hash(source.read_bytes()), f"{compiled} is not from its source"
    expected = {Path(importlib.util.cache_from_source(str(source))) for source in sources}
    strays = sorted(str(p.relative_to(layer)) for p in layer.rglob("*.pyc") if p not in expected)
    assert strays == [], "bytecode without its source or for another Python"


def test_the_common_layer_build_compiles_every_module_and_leaves_the_work_trees_caches_behind(
    tmp_path: Path,
) -> None:
    """The CommonLayer recipe, run as SAM runs it (in a copy of layers/common, ARTIFACTS_DIR set), on a source
    tree whose caches hold a stale timestamp-based .pyc and one for another Python."""
    source = tmp_path / "source"
    shutil.copytree(ROOT / "layers" / "common", source, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    cache = source / "python" / "certtracker" / "__pycache__"
    cache.mkdir()
    (cache / f"clock.{sys.implementation.cache_tag}.pyc").write_bytes(b"stale")
    (cache / "clock.cpython-399.pyc").write_bytes(b"other python")
    (cache / f"removed_module.{sys.implementation.cache_tag}.pyc").write_bytes(b"orphan")
    artifacts = tmp_path / "artifacts"
    artifacts.mkdir()
    build_as_sam_does(ROOT / "layers" / "common" / "Makefile", "CommonLayer", source, artifacts)
    layer = artifacts / "python"
    assert_bytecode_for_every_module(layer)
    shipped = {p.relative_to(layer) for p in layer.rglob("*") if p.is_file() and p.suffix != ".pyc"}
    wanted = {p.relative_to(source / "python") for p in (source / "python").rglob("*") if p.is_file()}
    assert shipped == wanted - {p.relative_to(source / "python") for p in cache.iterdir()}


FUNCTIONS = template.functions()


def declared_files(logical_id: str) -> set[str]:
    """The files functions/Makefile ships for the function: app.py and the data files it declares."""
    return set(make_print("functions/Makefile", f"$(call function-files,{logical_id})").split())


def files_under(directory: Path) -> set[str]:
    return {str(p.relative_to(directory)) for p in directory.rglob("*") if p.is_file()}


def with_bytecode(files: set[str]) -> set[str]:
    """The files and, for each module among them, its bytecode for the running (the runtime's) Python."""
    return files | {importlib.util.cache_from_source(f) for f in files if f.endswith(".py")}


@pytest.mark.parametrize("name", FUNCTIONS)
def test_every_function_is_built_by_the_functions_makefile(name: str) -> None:
    function = template.resources("AWS::Serverless::Function")[name]
    assert function["Metadata"] == {"BuildMethod": "makefile", "ContextPath": "functions"}, name
    assert FUNCTIONS[name].code_dir.parent == ROOT / "functions"


@pytest.mark.parametrize("name", FUNCTIONS)
def test_every_tracked_file_of_a_function_folder_is_declared_and_ships(name: str) -> None:
    """A data file added beside app.py without declaring it in functions/Makefile would pass the in-process tests
    (they read the folder) and be missing on Lambda: the declared list and the folder's tracked files agree."""
    folder = FUNCTIONS[name].code_dir.relative_to(ROOT)
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--", str(folder)], cwd=ROOT, capture_output=True, text=True, check=False
    )
    if listed.returncode != 0:
        pytest.skip("not a git work tree")
    tracked = {str(Path(p).relative_to(folder)) for p in listed.stdout.split("\0") if p}
    assert tracked == declared_files(name), f"functions/Makefile's list for {name} and {folder}'s files differ"


def test_a_function_build_ships_its_declared_files_and_their_bytecode_and_nothing_else(tmp_path: Path) -> None:
    """The function recipe on a folder holding what a work tree gathers (a scratch file, a helper module, a test,
    a stale cache of app.py): only the declared files ship, with fresh unchecked-hash bytecode."""
    source = tmp_path / "source"
    shutil.copytree(ROOT / "functions" / "docs", source, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    (source / "notes.txt").write_text("scratch")
    (source / "helper.py").write_text("VALUE = 1\n")
    (source / "test_app.py").write_text("def test_nothing() -> None: ...\n")
    (source / "__pycache__").mkdir()
    (source / "__pycache__" / f"app.{sys.implementation.cache_tag}.pyc").write_bytes(b"stale")
    artifacts = tmp_path / "artifacts"
    artifacts.mkdir()
    (artifacts / "left_from_last_build.py").write_text("")
    build_as_sam_does(ROOT / "functions" / "Makefile", "DocsFunction", source, artifacts)
    assert files_under(artifacts) == with_bytecode({"app.py", "openapi.json"})
    assert_bytecode_for_every_module(artifacts)


def test_the_layer_recipe_strips_the_packages_tests_and_keeps_their_code(tmp_path: Path) -> None:
    """layer.mk's strip-tests on a tree with the kinds of test file wheels ship, beside modules whose names only
    look alike."""
    layer = tmp_path / "python"
    kept = {
        "pkg/__init__.py",
        "pkg/testing.py",
        "pkg/contest.py",
        "pkg/_harfbuzz.abi3.so",
        "fontTools/misc/testTools.py",
        "pkg/attest/__init__.py",
    }
    stripped = {
        "pkg/tests/__init__.py",
        "pkg/tests/data/sample.json",
        "pkg/sub/test/test_x.py",
        "pkg/test_cases.py",
        "pkg/thing_test.py",
        "pkg/conftest.py",
        "pkg/_harfbuzz_test.abi3.so",
        "pkg/_speedups_test.so",
    }
    for name in kept | stripped:
        (layer / name).parent.mkdir(parents=True, exist_ok=True)
        (layer / name).write_text("")
    make(
        "-f",
        "layers/layer.mk",
        "--eval",
        "strip: ; $(strip-tests)",
        "strip",
        env={**os.environ, "ARTIFACTS_DIR": str(tmp_path)},
    )
    assert files_under(layer) == kept


@pytest.fixture
def built() -> Path:
    """`make build`'s output; `make check` builds before the tests, so CI always has it."""
    if not (BUILD_DIR / "template.yaml").is_file():
        if os.environ.get("CI"):
            pytest.fail(".aws-sam/build is missing: `make check` runs `make build` before the tests")
        pytest.skip("not built: `make build` makes .aws-sam/build")
    return BUILD_DIR


@pytest.mark.parametrize("name", LAYERS)
def test_each_built_layer_ships_unchecked_hash_bytecode_for_every_module(built: Path, name: str) -> None:
    layer = built / name / "python"
    assert_bytecode_for_every_module(layer)
    assert not (layer / "bin").exists(), "console scripts are of no use on /opt/python"


# What a package's tests look like; layers/layer.mk's strip-tests removes them.
TEST_DIRECTORIES = {"test", "tests"}
TEST_FILES = ("test_*.py", "*_test.py", "conftest.py", "*_test*.so")


@pytest.mark.parametrize("name", LAYERS)
def test_no_built_layer_ships_tests_or_caches_beyond_its_bytecode(built: Path, name: str) -> None:
    """No package's tests, and no __pycache__ but the one beside modules holding their bytecode (checked above)."""
    layer = built / name
    tests = sorted(str(p.relative_to(layer)) for p in layer.rglob("*") if p.is_dir() and p.name in TEST_DIRECTORIES)
    assert tests == [], "test directories in the layer"
    test_files = sorted(
        str(p.relative_to(layer))
        for p in layer.rglob("*")
        if p.is_file() and any(fnmatch.fnmatch(p.name, pattern) for pattern in TEST_FILES)
    )
    assert test_files == [], "test modules in the layer"
    for cache in layer.rglob("__pycache__"):
        strays = sorted(p.name for p in cache.iterdir() if not p.name.endswith(".pyc") or p.is_dir())
        assert strays == [], f"{cache.relative_to(layer)} holds more than bytecode"
        assert any(cache.parent.glob("*.py")), f"{cache.relative_to(layer)} sits beside no module"


@pytest.mark.parametrize("name", FUNCTIONS)
def test_each_built_function_holds_exactly_its_declared_files_and_their_bytecode(built: Path, name: str) -> None:
    function = built / name
    assert files_under(function) == with_bytecode(declared_files(name))
    assert_bytecode_for_every_module(function)


@pytest.mark.parametrize("name", LOCKED_LAYERS)
def test_each_built_package_layer_holds_exactly_its_lock(built: Path, name: str) -> None:
    layer = built / name / "python"
    distributions = importlib.metadata.distributions(path=[str(layer)])
    shipped = {canonicalize_name(dist.metadata["Name"]): dist.version for dist in distributions}
    assert shipped == {name: locked.version for name, locked in read_lock(LOCKED_LAYERS[name][1]).items()}


def test_the_built_certificates_layer_ships_the_fonts_their_index_names_and_their_licences(built: Path) -> None:
    """/opt/fonts: every slice index.json names, nothing else but the OFL of each font package beside them."""
    fonts = built / "CertificatesLayer" / "fonts"
    index = json.loads((fonts / "index.json").read_text())
    named = {entry["file"] for entry in index["slices"]}
    assert named == {p.name for p in fonts.glob("*.ttf")}
    packages = json.loads((ROOT / "layers" / "certificates" / "package.json").read_text())["dependencies"]
    licences = {p.name for p in fonts.glob("OFL-*.txt")}
    assert licences == {f"OFL-{package.split('/')[1]}.txt" for package in packages}
    for licence in licences:
        assert "SIL Open Font License" in (fonts / licence).read_text()
    assert {p.name for p in fonts.iterdir()} == named | licences | {"index.json"}


# The newest manylinux glibc each runtime's OS loads: Amazon Linux 2023 (python3.12 on) has glibc 2.34; for
# python3.11 (Amazon Linux 2) the layer kept to manylinux2014 (2.17), the baseline SAM builds for.
RUNTIME_GLIBC = {"3.11": 17, "3.12": 34, "3.13": 34}


@pytest.mark.parametrize("name", LOCKED_LAYERS)
def test_every_wheel_in_each_built_package_layer_loads_on_the_runtime(built: Path, name: str) -> None:
    """Each package's wheel is for the runtime's CPython (or any Python) and a manylinux no newer than the runtime's
    glibc, on its architecture, or pure Python."""
    version, architecture = runtime()
    machine = "aarch64" if architecture == "arm64" else "x86_64"
    cpython = f"cp{version.replace('.', '')}"
    newest = RUNTIME_GLIBC[version]

    def loads(tag: str) -> bool:
        interpreter, abi, platform = tag.split("-")
        if platform == "any":
            return interpreter.startswith("py3") and abi == "none"
        fits_python = interpreter == cpython or (abi == "abi3" and "cp3" <= interpreter <= cpython)
        linux = platform.removesuffix(f"_{machine}")
        if linux == "manylinux2014":
            return fits_python
        if not linux.startswith("manylinux_2_") or linux == platform:
            return False
        return fits_python and 17 <= int(linux.removeprefix("manylinux_2_")) <= newest

    layer = built / name / "python"
    wheels = sorted(layer.glob("*.dist-info/WHEEL"))
    assert wheels, "no package in the layer"
    for wheel in wheels:
        tags = [line.removeprefix("Tag:").strip() for line in wheel.read_text().splitlines() if line.startswith("Tag:")]
        assert any(loads(tag) for tag in tags), (
            f"{wheel.parent.name} ({', '.join(tags)}) does not load on python{version}"
        )
