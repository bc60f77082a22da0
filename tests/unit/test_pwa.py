"""The service worker's stamp (infra/pwa.py): every shell file named with its hash, and a version
that changes when any file or the environment's config.js does (else phones would keep the old
shell), and stays put when nothing changed (else every phone would download it all again)."""

from __future__ import annotations

import base64
import hashlib
import json
import re
import shutil
from pathlib import Path

import pytest

from infra.pwa import stamp

FRONTEND = Path(__file__).resolve().parents[2] / "frontend"


def build_of(source: bytes) -> dict:
    line = re.search(rb"^const BUILD = (\{.*\}); // stamped", source, re.MULTILINE)
    assert line, "no stamped BUILD line"
    return json.loads(line.group(1))


@pytest.fixture
def site(tmp_path: Path) -> Path:
    copy = tmp_path / "site"
    shutil.copytree(FRONTEND, copy, ignore=shutil.ignore_patterns("config.js"))
    return copy


def test_every_shell_file_is_named_with_its_hash(site: Path) -> None:
    build = build_of(stamp(site, b"window.SHELFWISE_CONFIG = {};"))
    named = {f["path"]: f["integrity"] for f in build["files"]}
    for must in ("./", "index.html", "config.js", "manifest.webmanifest", "js/app.js", "js/offline.js",
                 "js/screens/sell.js", "css/app.css", "icons/icon-192.png"):
        assert must in named, must
    assert "sw.js" not in named
    data = (site / "js" / "app.js").read_bytes()
    assert named["js/app.js"] == "sha256-" + base64.b64encode(hashlib.sha256(data).digest()).decode()
    assert named["./"] == named["index.html"]


def test_version_follows_the_files_and_the_config(site: Path) -> None:
    first = build_of(stamp(site, b"a"))["version"]
    assert build_of(stamp(site, b"a"))["version"] == first
    assert build_of(stamp(site, b"b"))["version"] != first
    (site / "js" / "app.js").write_text((site / "js" / "app.js").read_text() + "\n// changed\n")
    assert build_of(stamp(site, b"a"))["version"] != first


def test_unstamped_worker_caches_nothing() -> None:
    source = (FRONTEND / "sw.js").read_text()
    assert "const BUILD = { version: null, files: [] };" in source
