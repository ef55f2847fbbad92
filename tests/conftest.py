"""Shared test fixtures: the shared data folder and the slow-test switch."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--run-slow", action="store_true", default=False, help="also run tests marked slow")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if config.getoption("--run-slow"):
        return
    skip = pytest.mark.skip(reason="slow: run with --run-slow (make test does)")
    for item in items:
        if "slow" in item.keywords:
            item.add_marker(skip)


def _data_dir() -> Path:
    return Path(os.environ.get("LMMR1_DATA", REPO.parent / "shared" / "data")).resolve()


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """The team's shared data folder (LMMR1_DATA, default ../shared/data).

    Skips the test when the folder is absent, unless LMMR1_REQUIRE_DATA=1 (CI), where it fails.
    """
    path = _data_dir()
    if not (path / "MANIFEST.md").is_file():
        msg = f"shared data not found at {path}; set LMMR1_DATA to the folder holding MANIFEST.md"
        if os.environ.get("LMMR1_REQUIRE_DATA") == "1":
            pytest.fail(msg)
        pytest.skip(msg)
    return path
