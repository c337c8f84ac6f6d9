"""Swagger UI's own files under /swagger-ui/, from the pinned, hash-locked swagger-ui-py (requirements-dev):
the local stack serves them and `make deploy-web` uploads them, so both are the same bytes. The page that loads
them and its initializer are the project's own (web/swagger-ui/).

`python -m infra.swagger_ui DIR` copies them into DIR (what deploy-web uploads beside web/).
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import swagger_ui

PACKAGE_FILES = Path(swagger_ui.__file__).parent / "static"
FOLDER = "swagger-ui"
# The name each is served under, in /swagger-ui/: the package's file. The licence keeps an extension, since the
# edge serves an extensionless path as the portal's index.html (WebPageRouting).
FILES = {
    "swagger-ui-bundle.js": "swagger-ui-bundle.js",
    "swagger-ui.css": "swagger-ui.css",
    "favicon-32x32.png": "favicon-32x32.png",
    "LICENSE.txt": "LICENSE",
}


def served_file(relative: str) -> Path | None:
    """The package's file served at `relative` (a path under the web root, such as swagger-ui/swagger-ui.css),
    or None when that is none of them."""
    folder, _, name = relative.partition("/")
    source = FILES.get(name) if folder == FOLDER else None
    return PACKAGE_FILES / source if source else None


def copy_to(target: Path) -> None:
    target.mkdir(parents=True, exist_ok=True)
    for name, source in FILES.items():
        shutil.copyfile(PACKAGE_FILES / source, target / name)


if __name__ == "__main__":
    copy_to(Path(sys.argv[1]))
