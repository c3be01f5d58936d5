"""Where the contract suite finds BigCommerce's documents, and what it says when it cannot."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import sandbox_contract


def test_shared_dir_defaults_to_beside_the_repository(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("FLXD_SHARED_DIR", raising=False)
    assert sandbox_contract.shared_dir() == sandbox_contract.REPO_ROOT.parent / "shared"
    assert (sandbox_contract.REPO_ROOT / "plugins" / "bigcommerce").is_dir()


def test_missing_documents_skip_with_a_reason(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("FLXD_SHARED_DIR", str(tmp_path))
    reason = sandbox_contract.missing_reason()
    assert reason is not None
    assert str(tmp_path / "bigcommerce" / "openapi") in reason and "skipped" in reason
    (tmp_path / "bigcommerce" / "openapi").mkdir(parents=True)
    assert sandbox_contract.missing_reason() is None


def test_missing_documents_fail_under_ci_and_skip_elsewhere(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("FLXD_SHARED_DIR", str(tmp_path))
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="failing under CI=true"):
        sandbox_contract.require_documents()
    monkeypatch.setenv("CI", "false")
    with pytest.raises(pytest.skip.Exception, match="contract tests skipped"):
        sandbox_contract.require_documents()
    monkeypatch.delenv("CI")
    with pytest.raises(pytest.skip.Exception):
        sandbox_contract.require_documents()
    assert sandbox_contract.documents_present() is False  # webhook shapes: checked when there
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception):
        sandbox_contract.documents_present()


def test_the_contract_suite_itself_fails_under_ci_without_documents(tmp_path: Path) -> None:
    suite = Path(__file__).with_name("test_contract.py")
    env = {**os.environ, "FLXD_SHARED_DIR": str(tmp_path), "CI": "true"}
    result = subprocess.run(
        [sys.executable, "-m", "pytest", str(suite), "-q", "-p", "no:cacheprovider", "-x"],
        capture_output=True,
        text=True,
        env=env,
        cwd=sandbox_contract.REPO_ROOT,
        timeout=120,
        check=False,
    )
    assert result.returncode == 1, result.stdout + result.stderr
    summary = result.stdout.strip().splitlines()[-1]
    assert "error" in summary and "passed" not in summary and "skipped" not in summary, summary
    assert f"{tmp_path / 'bigcommerce' / 'openapi'}" in result.stdout
    assert "failing under CI=true" in result.stdout
