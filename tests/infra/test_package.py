"""The deployment package: built offline, with bytecode Lambda can use, importable on its own."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

from infra import package


def test_package_has_the_app_and_no_stray_files(packaged: Path) -> None:
    names = set(zipfile.ZipFile(packaged / "deployment.zip").namelist())
    assert {"app.py", "chalicelib/db.py", "chalice/app.py", "pydantic/__init__.py", "jwt/__init__.py"} <= names
    assert not any(n.startswith(("boto3/", "botocore/", "moto/", ".chalice/", "tests/", "local/")) for n in names)


def test_every_module_ships_bytecode(packaged: Path) -> None:
    names = set(zipfile.ZipFile(packaged / "deployment.zip").namelist())
    sources = [n for n in names if n.endswith(".py")]
    tag = sys.implementation.cache_tag  # cpython-311: the runtime's version (package.build checks)
    missing = []
    for source in sources:
        folder, _, module = source.rpartition("/")
        cached = f"{folder}/__pycache__/{module[:-3]}.{tag}.pyc".lstrip("/")
        if cached not in names:
            missing.append(source)
    assert not missing, missing[:10]
    assert len(sources) > 100


def test_package_imports_from_its_bytecode_with_the_standard_library_only(packaged: Path, tmp_path: Path) -> None:
    """As on Lambda: /var/task read-only, no boto3 needed at import, and the .pyc used as they are
    (unchecked hash): the sources are replaced by garbage and the import still works."""
    tree = tmp_path / "task"
    with zipfile.ZipFile(packaged / "deployment.zip") as zipped:
        zipped.extractall(tree)
    for source in (tree / "chalicelib").rglob("*.py"):
        source.write_text("raise SystemExit('the source was read, not the bytecode')\n")
    (tree / "app.py").write_text("raise SystemExit('the source was read, not the bytecode')\n")
    code = (
        f"import sys; sys.path.insert(0, {str(tree)!r}); sys.dont_write_bytecode = True; import app; "
        "assert 'boto3' not in sys.modules, 'boto3 imported at cold start'; "
        "print(sys.modules['chalicelib.db'].__spec__.cached)"
    )
    reply = subprocess.run(  # noqa: S603 - our own arguments
        [sys.executable, "-S", "-I", "-c", code], cwd=tree, capture_output=True, text=True,
        env={"PATH": "/usr/bin:/bin"},
    )  # fmt: skip
    assert reply.returncode == 0, reply.stderr[-2000:]
    assert reply.stdout.strip().endswith(".pyc")


def test_offline_build_uses_only_the_wheelhouse() -> None:
    wheels = sorted(p.name for p in package.WHEELHOUSE.glob("*.whl"))
    assert wheels, "make setup fills .local/wheelhouse"
    for wheel in wheels:
        platform = wheel[:-4].split("-")[-1]
        assert platform == "any" or "manylinux" in platform and "x86_64" in platform, wheel


def test_overlay_names_functions_like_chalice_deploy() -> None:
    assert package.function_names("dev") == {
        "APIHandler": "shelfwise-dev",
        "CheckStockLevels": "shelfwise-dev-check_stock_levels",
        "ForecastNightly": "shelfwise-dev-forecast_nightly",
        "ForecastShop": "shelfwise-dev-forecast_shop",
        "ImportContinue": "shelfwise-dev-import_continue",
    }
