"""A least-recently-used cache bounded by the memory its keys and values take, not by their count.

16 samples of one prompt share a gold, so verdicts and gold values are cached; a policy writing
20,000 distinct 16 KB answers must not grow the process by hundreds of megabytes.
"""

from __future__ import annotations

import sys
import threading
from collections import OrderedDict
from collections.abc import Hashable
from typing import Any

_MISSING = object()


def _size(obj: object) -> int:
    if isinstance(obj, (str, bytes)):
        return sys.getsizeof(obj)
    if isinstance(obj, (tuple, list, frozenset, set)):
        return sys.getsizeof(obj) + sum(_size(x) for x in obj)
    return sys.getsizeof(obj)


class ByteBoundedCache:
    """``get``/``put`` under a lock; the oldest entries go once ``max_bytes`` is exceeded."""

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self._data: OrderedDict[Hashable, tuple[Any, int]] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()

    @property
    def nbytes(self) -> int:
        return self._bytes

    def __len__(self) -> int:
        return len(self._data)

    def get(self, key: Hashable, default: Any = _MISSING) -> Any:
        with self._lock:
            item = self._data.get(key, _MISSING)
            if item is _MISSING:
                return None if default is _MISSING else default
            self._data.move_to_end(key)
            return item[0]

    def __contains__(self, key: Hashable) -> bool:
        with self._lock:
            return key in self._data

    def put(self, key: Hashable, value: Any, size: int | None = None) -> None:
        """``size``: the entry's bytes if the caller knows them cheaply (else they are measured)."""
        size = (_size(key) + _size(value) if size is None else size) + 64  # 64: the entry's own bookkeeping
        if size > self.max_bytes:
            return
        with self._lock:
            old = self._data.pop(key, None)
            if old is not None:
                self._bytes -= old[1]
            self._data[key] = (value, size)
            self._bytes += size
            while self._bytes > self.max_bytes:
                _, (_, dropped) = self._data.popitem(last=False)
                self._bytes -= dropped

    def clear(self) -> None:
        with self._lock:
            self._data.clear()
            self._bytes = 0
