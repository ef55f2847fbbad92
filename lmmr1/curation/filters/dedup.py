"""Exact and near duplicates: normalized text plus image content; MinHash on text, pHash on images."""

from __future__ import annotations

import logging
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from lmmr1.curation.filters.base import Decision, Drop, Filter, register
from lmmr1.curation.filters.images import image_key, open_image
from lmmr1.curation.sources import Example

logger = logging.getLogger(__name__)
_SPACE = re.compile(r"\s+")
_PUNCT = re.compile(r"[^\w\s]")


def normalize_text(text: str) -> str:
    """Lower-case, NFKC, punctuation dropped, whitespace collapsed: the text identity of a question."""
    text = unicodedata.normalize("NFKC", text).lower().replace("<image1>", " ")
    return _SPACE.sub(" ", _PUNCT.sub(" ", text)).strip()


def _gold_key(gold: str) -> str:
    return "".join(gold.split()).lower()


def dedup_text(ex: Example) -> str:
    """The question and its options, normalized: what two rows must share to be duplicates."""
    return normalize_text(" ".join((ex.question, *ex.options)))


def phash_hex(ref: Any) -> str:
    """The 64-bit perceptual hash of an image as hex; "" when it cannot be read."""
    import imagehash

    try:
        return str(imagehash.phash(open_image(ref)))
    except Exception as exc:  # unreadable images are judged by the image filter, not here
        logger.debug("no pHash: %s", exc)
        return ""


def shingles(text: str, n: int) -> list[bytes]:
    words = text.split()
    if len(words) <= n:
        return [" ".join(words).encode()]
    return [" ".join(words[i : i + n]).encode() for i in range(len(words) - n + 1)]


@register("duplicate_exact")
@dataclass(frozen=True)
class DuplicateExact(Filter):
    """Same normalized question and the same image bytes as an earlier kept row."""

    cross_row = True
    in_main = True

    def check_all(self, examples: Sequence[Example], state: None = None) -> list[Decision]:
        seen: dict[tuple, int] = {}
        out: list[Decision] = []
        for ex in examples:
            keys = ex.image_keys or tuple(image_key(r) for r in ex.images)
            key = (dedup_text(ex), tuple(sorted(keys)))
            first = seen.setdefault(key, ex.index)
            out.append(Drop("duplicate_exact", f"same as row {first} (0-based)") if first != ex.index else None)
        return out


@dataclass(frozen=True)
class NearDuplicateState:
    """What ``near_duplicate`` computes once per run: text, MinHash and pHashes of every row, by row index."""

    text: dict[int, str]
    minhash: dict[int, Any]
    phash: dict[int, list[Any]]


@register("near_duplicate")
@dataclass(frozen=True)
class NearDuplicate(Filter):
    """MinHash-LSH on word shingles; rows with images also need a pHash match (diagrams look alike)."""

    cross_row = True
    in_main = True
    needs_phash = True
    threshold: float = 0.85  # estimated Jaccard similarity of word shingles
    shingle_words: int = 5  # words per shingle
    num_perm: int = 64  # MinHash permutations: more is more exact and slower
    max_phash_distance: int = 10  # Hamming distance of 64-bit pHashes; 0 = identical, unrelated diagrams ~20+
    same_gold: bool = True  # near-identical text asking for another quantity ("find AB" / "find BC") is a new problem
    seed: int = 1

    def prepare(self, examples: Sequence[Example]) -> NearDuplicateState:
        """MinHashes of every row's text and pHashes of its images: the stand-alone and sequential passes share them."""
        from datasketch import MinHash

        texts = [dedup_text(ex) for ex in examples]
        hashes = MinHash.bulk([shingles(t, self.shingle_words) for t in texts], num_perm=self.num_perm, seed=self.seed)
        return NearDuplicateState({ex.index: t for ex, t in zip(examples, texts, strict=True)},
                                  {ex.index: mh for ex, mh in zip(examples, hashes, strict=True)},
                                  {ex.index: _image_hashes(ex) for ex in examples})

    def check_all(self, examples: Sequence[Example], state: NearDuplicateState | None = None) -> list[Decision]:
        from datasketch import MinHashLSH

        state = self.prepare(examples) if state is None else state
        texts = [state.text[ex.index] for ex in examples]
        hashes = [state.minhash[ex.index] for ex in examples]
        lsh = MinHashLSH(threshold=self.threshold, num_perm=self.num_perm)
        out: list[Decision] = []
        for ex, text, mh in zip(examples, texts, hashes, strict=True):
            match = None
            if text:
                for j in lsh.query(mh):
                    other = examples[j]
                    if self.same_gold and _gold_key(ex.gold) != _gold_key(other.gold):
                        continue
                    if mh.jaccard(hashes[j]) >= self.threshold and self._same_images(state.phash[ex.index],
                                                                                     state.phash[other.index]):
                        match = other.index
                        break
            if match is None:
                if text:
                    lsh.insert(len(out), mh)  # keys are positions in `examples`
                out.append(None)
            else:
                out.append(Drop("near_duplicate", f"near-duplicate of row {match} (0-based)"))
        return out

    def _same_images(self, a: list[Any], b: list[Any]) -> bool:
        if len(a) != len(b):
            return False
        return all(ha is not None and hb is not None and ha - hb <= self.max_phash_distance
                   for ha, hb in zip(a, b, strict=True))

    def settings(self) -> dict[str, Any]:
        keys = ("threshold", "shingle_words", "num_perm", "max_phash_distance", "same_gold", "seed")
        return {k: getattr(self, k) for k in keys}


def _image_hashes(ex: Example) -> list[Any]:
    """The row's pHashes as ``imagehash`` objects (``None`` where an image cannot be read)."""
    if not (ex.phashes or ex.images):
        return []
    import imagehash

    if ex.phashes:
        return [imagehash.hex_to_hash(h) if h else None for h in ex.phashes]
    return [imagehash.hex_to_hash(h) if (h := phash_hex(ref)) else None for ref in ex.images]
