"""Tiny copies of the LMM-R1 authors' published data, in their layout, for `curate prepare` tests.

Rows: ``{"message": "<OpenAI message list as a JSON string>", "answer": "$...$"}``; multimodal rows
name their image by a path inside the dataset's ``.tar.gz`` of PNGs.
"""

from __future__ import annotations

import io
import json
import tarfile
from pathlib import Path

from PIL import Image, ImageDraw

TEXT = [("What is the sum of {a} and {b}?", "{s}"), ("Compute {a} times {b}.", "{p}"),
        ("Find x if x minus {a} equals {b}.", "{s}"), ("How much is {b} added to {a} squared?", "{q}")]
# Rows name their images by absolute paths on the authors' machine; the archive holds what follows the
# prefix (as OpenRLHF-M's download_mathv60k.py shows for mathv60k: the prefix below is from it).
PREFIX = {"vermulti-60k": "/apdcephfs_gy2/share_302735770/berlinni/zgr/data/mathv60k/",
          "mgt-geo": "/apdcephfs_gy2/share_302735770/berlinni/zgr/data/mathv_geo/"}
FILES = {"fre-text": ("deepscaler_message.jsonl", None), "vermulti-60k": ("mathv60k_message.jsonl", "mathv60k_img.tar.gz"),
         "mgt-geo": ("mathv_geo_message.jsonl", "mathv_geo_img.tar.gz")}


def _message(text: str, image: str | None) -> str:
    content = ([{"type": "image", "image": image}] if image else []) + [{"type": "text", "text": text}]
    return json.dumps([{"role": "user", "content": content}])


def _png(i: int) -> bytes:
    img = Image.new("RGB", (48, 48), (255, 255, 255))
    ImageDraw.Draw(img).rectangle([i % 20, 2, 20 + i % 20, 30 + i % 10], outline=(i * 40 % 255, 0, 0), width=2)
    buf = io.BytesIO()
    img.save(buf, format="PNG")
    return buf.getvalue()


def _rows(n: int, folder: str | None, what: str, prefix: str = "") -> tuple[list[dict], dict[str, bytes]]:
    rows, images = [], {}
    for i in range(n):
        a, b = i + 2, 3 * i + 5
        q, gold = TEXT[i % len(TEXT)]
        text = f"{what} problem {i}: " + q.format(a=a, b=b)
        image = f"{folder}/{i}.png" if folder else None
        if image:
            images[image] = _png(i)
        rows.append({"message": _message(text, prefix + image if image else None),
                     "answer": "$" + gold.format(s=a + b, p=a * b, q=a * a + b) + "$"})
    return rows, images


def write_paper_data(root: Path, n: int = 8, prefixed: bool = True) -> Path:
    """``root/<dataset>/`` with each dataset's message JSONL (and image archive) as the manifest names them.

    ``prefixed=False``: image paths relative to the archive's root instead of the authors' absolute ones.
    """
    for name, (data, archive) in FILES.items():
        folder = root / name
        folder.mkdir(parents=True, exist_ok=True)
        top = archive.removesuffix(".tar.gz") if archive else None
        rows, images = _rows(n, top, "geometry" if "geo" in name else name, PREFIX.get(name, "") if prefixed else "")
        (folder / data).write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
        if archive:
            with tarfile.open(folder / archive, "w:gz") as tar:
                for path, blob in images.items():
                    info = tarfile.TarInfo(path)
                    info.size = len(blob)
                    tar.addfile(info, io.BytesIO(blob))
    return root


def local_manifest(repo_manifest: Path, data_root: Path, out: Path) -> Path:
    """The shipped manifest with every dataset read from ``data_root/<name>`` as a ``file:`` URL."""
    import yaml

    manifest = yaml.safe_load(repo_manifest.read_text(encoding="utf-8"))
    manifest["recipe"] = str((repo_manifest.parent / manifest["recipe"]).resolve())
    for name, entry in manifest["datasets"].items():
        entry["local"] = (data_root / name).resolve().as_uri()
        if name == "fre-text":
            entry["data"] = FILES[name][0]
    out.write_text(yaml.safe_dump(manifest), encoding="utf-8")
    return out
