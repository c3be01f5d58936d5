"""Where the contract suite finds BigCommerce's documents, and what it says when it cannot."""

from __future__ import annotations

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
