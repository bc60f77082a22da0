"""The service worker's build stamp: which files make the app shell and a version that changes
whenever any of them does. The local stack stamps frontend/sw.js on every request (an edit shows
up as a new version at once); the deploy stamps it once into the built site.

Each file carries its SRI hash so the worker's install refuses a file that is not the one this
version names (a deploy landing while a phone installs): an install is all of one version or none.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
from pathlib import Path

# Not part of the shell: the worker itself, per-environment or live files, editor leftovers.
_SKIP = {"sw.js", "config.js", "demo.json"}
_STAMP_LINE = re.compile(r"^const BUILD = .*$", re.MULTILINE)


def _shell_files(site: Path) -> list[Path]:
    return sorted(
        p for p in site.rglob("*")
        if p.is_file() and p.relative_to(site).as_posix() not in _SKIP
        and not any(part.startswith(".") for part in p.relative_to(site).parts)
        and p.suffix not in {".map", ".py"}
    )  # fmt: skip


def _sri(data: bytes) -> str:
    return "sha256-" + base64.b64encode(hashlib.sha256(data).digest()).decode()


def stamp(site: Path, config_js: bytes) -> bytes:
    """frontend/sw.js with BUILD filled in for the files under `site` and this config.js."""
    files = [(p.relative_to(site).as_posix(), p.read_bytes()) for p in _shell_files(site)]
    files.append(("config.js", config_js))
    index = next((data for path, data in files if path == "index.html"), None)
    if index is not None:
        files.append(("./", index))  # what a navigation (start_url, a reload) is answered with
    version = hashlib.sha256()
    for path, data in files:
        version.update(path.encode() + b"\0" + hashlib.sha256(data).digest())
    build = {"version": version.hexdigest()[:16],
             "files": [{"path": path, "integrity": _sri(data)} for path, data in files]}
    source = (site / "sw.js").read_text(encoding="utf-8")
    line = f"const BUILD = {json.dumps(build)}; // stamped: infra/pwa.py"
    stamped, count = _STAMP_LINE.subn(lambda _: line, source, 1)
    if count != 1:
        raise ValueError("sw.js has no `const BUILD = ...` line to stamp")
    return stamped.encode()
