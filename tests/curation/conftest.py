"""Helpers for curation tests: tiny datasets written to tmp files, and fast configs."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from PIL import Image

from lmmr1.curation.config import load_config


def write_jsonl(path: Path, rows: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


@pytest.fixture
def fast_config():
    """The default config without the verifier (the slowest filter), for property tests."""
    return load_config().toggled(disable=("gold_verifiable",))


@pytest.fixture
def png(tmp_path):
    def make(name: str = "a.png", size=(64, 64), color=(255, 255, 255), line=True) -> Path:
        img = Image.new("RGB", size, color)
        if line:
            for i in range(min(size)):
                img.putpixel((i, i), (0, 0, 0))
        path = tmp_path / name
        img.save(path)
        return path

    return make
