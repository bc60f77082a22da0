"""Deployment checks, all offline: the templates (cfn-lint, checkov, moto), the package, the deploy flow.

The app is packaged once per run, for prod, the way `make deploy` does (infra/package.py: chalice
package from the Lambda wheelhouse in .local/wheelhouse, which `make setup` fills). checkov runs
once over every template, from its own venv (.local/checkov-venv: its pins clash with chalice and
moto), also made by `make setup`.
"""

from __future__ import annotations

import json
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from infra import package

ROOT = Path(__file__).resolve().parents[2]
TEMPLATE = ROOT / "infra" / "template.yaml"
CHECKOV = ROOT / ".local" / "checkov-venv" / "bin" / "checkov"
SITE_URL = "https://d111111abcdef8.cloudfront.net"


def load_template(path: Path) -> dict[str, Any]:
    """A CloudFormation template as a dict, YAML short forms (!Sub, !Ref...) as their long forms."""
    from cfnlint.decode import cfn_json, cfn_yaml

    loaded = cfn_json.load(str(path)) if path.suffix == ".json" else cfn_yaml.load(str(path))
    return json.loads(json.dumps(loaded))  # plain dicts and strings, whatever cfn-lint's node types


@pytest.fixture(scope="session")
def infra_template() -> dict[str, Any]:
    return load_template(TEMPLATE)


@pytest.fixture(scope="session")
def packaged(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """`chalice package` output for prod (sam.json, deployment.zip with bytecode)."""
    work = tmp_path_factory.mktemp("build")
    return package.build("prod", work / "out", site_url=SITE_URL, region="us-east-1", quiet=True, work=work)


@pytest.fixture(scope="session")
def packaged_template(packaged: Path) -> dict[str, Any]:
    return json.loads((packaged / "sam.json").read_text())


def without_suppressions(template: dict[str, Any]) -> dict[str, Any]:
    """The same template with every resource's checkov skip list removed."""
    bare = json.loads(json.dumps(template))
    for resource in bare.get("Resources", {}).values():
        resource.get("Metadata", {}).pop("checkov", None)
    return bare


@pytest.fixture(scope="session")
def checkov_bin() -> Path:
    if not CHECKOV.exists():
        subprocess.run(["make", "-s", "checkov"], cwd=ROOT, check=True)  # noqa: S607 - make from PATH
    return CHECKOV


@pytest.fixture(scope="session")
def checkov_results(
    checkov_bin: Path,
    infra_template: dict[str, Any],
    packaged_template: dict[str, Any],
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[dict[str, dict[str, list[dict[str, Any]]]]]:
    """checkov over the committed infra template and the packaged one, each also without its
    suppressions (to prove every suppression is still needed). One checkov run for all four.

    Returns {name: {"passed": [...], "failed": [...], "skipped": [...]}} with names infra,
    infra-bare, app, app-bare."""
    folder = tmp_path_factory.mktemp("checkov")
    (folder / "infra.yaml").write_text(TEMPLATE.read_text())
    (folder / "infra-bare.json").write_text(json.dumps(without_suppressions(infra_template), indent=1))
    (folder / "app.json").write_text(json.dumps(packaged_template, indent=1))
    (folder / "app-bare.json").write_text(json.dumps(without_suppressions(packaged_template), indent=1))
    reply = subprocess.run(  # noqa: S603 - our own arguments
        [str(checkov_bin), "--directory", str(folder), "--framework", "cloudformation", "--skip-download",
         "--output", "json", "--soft-fail"],
        capture_output=True, text=True, cwd=folder,
    )  # fmt: skip
    assert reply.returncode == 0, reply.stderr[-3000:]
    report = json.loads(reply.stdout)
    reports = report if isinstance(report, list) else [report]
    results: dict[str, dict[str, list[dict[str, Any]]]] = {
        name: {"passed": [], "failed": [], "skipped": []} for name in ("infra", "infra-bare", "app", "app-bare")
    }
    for part in reports:
        for kind in ("passed", "failed", "skipped"):
            for check in part["results"][f"{kind}_checks"]:
                name = Path(check["file_path"]).stem
                results[name][kind].append(check)
    yield results
