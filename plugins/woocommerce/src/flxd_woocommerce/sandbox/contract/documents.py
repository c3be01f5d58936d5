"""Where the published documents are: ``../shared/woocommerce/docs`` beside the repository
(``FLXD_SHARED_DIR`` overrides ``../shared``)."""

from __future__ import annotations

import os
from pathlib import Path

__all__ = ["REPO_ROOT", "docs_dir", "missing_reason", "require_docs", "shared_dir"]

REPO_ROOT = Path(__file__).resolve().parents[6]


def shared_dir() -> Path:
    override = os.environ.get("FLXD_SHARED_DIR")
    return Path(override) if override else REPO_ROOT.parent / "shared"


def docs_dir() -> Path:
    return shared_dir() / "woocommerce" / "docs"


def missing_reason() -> str | None:
    where = docs_dir() / "_index.md"
    if not where.is_file():
        return (
            f"WooCommerce's REST documents are not at {where.parent} (set FLXD_SHARED_DIR to the "
            "directory holding woocommerce/docs): contract checks skipped"
        )
    return None


def require_docs() -> Path:
    """For tests: the documents' directory; fails under ``CI=true`` when they are missing,
    skips with the reason otherwise."""
    import pytest

    reason = missing_reason()
    if reason is not None:
        if os.environ.get("CI") == "true":
            pytest.fail(reason)
        pytest.skip(reason)
    return docs_dir()
