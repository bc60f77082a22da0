"""The deploy script's own decisions, checked without AWS and without pretending to be AWS:
the parameters it passes, the site it builds and the configuration the site gets. What the aws
CLI then does with them is AWS's business; the templates it deploys are linted and scanned in
test_templates.py and the plain parts created on moto in test_moto_stack.py."""

from __future__ import annotations

import json

import pytest

from infra import deploy


def test_first_deploy_needs_a_sender(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ALERT_SENDER", raising=False)
    with pytest.raises(SystemExit, match="ALERT_SENDER"):
        deploy._infra_parameters("dev", exists=False)


def test_parameters_protect_prod_and_keep_unset_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    for var in ("ALERT_SENDER", "SENDER_IDENTITY", "CREATE_SENDER_IDENTITY", "ALARM_EMAIL"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("ALERT_SENDER", "alerts@example.com")
    prod = deploy._infra_parameters("prod", exists=False)
    assert "Stage=prod" in prod and "DeletionProtection=true" in prod and "AlertSender=alerts@example.com" in prod
    monkeypatch.delenv("ALERT_SENDER")
    again = deploy._infra_parameters("dev", exists=True)  # an update: unset settings keep the stack's values
    assert again == ["Stage=dev", "DeletionProtection=false"]


def test_site_is_built_with_the_deployed_api_and_leaves_the_local_config(tmp_path, monkeypatch) -> None:
    monkeypatch.setattr(deploy, "ROOT", tmp_path)
    frontend = tmp_path / "frontend"
    (frontend / "js").mkdir(parents=True)
    (frontend / "index.html").write_text("<!doctype html>")
    (frontend / "js" / "app.js").write_text("export {}")
    (frontend / "config.js").write_text("window.SHELFWISE_CONFIG = {\"apiUrl\": \"http://127.0.0.1:8000\"};")
    site = deploy.build_site("prod", "https://abc.execute-api.eu-west-1.amazonaws.com/api/")
    assert (site / "index.html").exists() and (site / "js" / "app.js").exists()
    config = (site / "config.js").read_text()
    assert json.loads(config.split("=", 1)[1].rstrip(";\n")) == {
        "apiUrl": "https://abc.execute-api.eu-west-1.amazonaws.com/api"}
    assert "127.0.0.1" in (frontend / "config.js").read_text()
    assert not (site / "sw.js").exists()
    # With a service worker, the built one names this build's files, the deployed config.js among them.
    (frontend / "sw.js").write_text("const BUILD = { version: null, files: [] }; // stamped: infra/pwa.py\n")
    worker = (deploy.build_site("prod", "https://abc.execute-api.eu-west-1.amazonaws.com/api/") / "sw.js").read_text()
    assert '"version": null' not in worker and '"path": "config.js"' in worker and '"path": "js/app.js"' in worker
    assert "version: null" in (frontend / "sw.js").read_text()
    assert deploy.infra_stack("prod") == "shelfwise-prod-infra" and deploy.app_stack("dev") == "shelfwise-dev-app"
