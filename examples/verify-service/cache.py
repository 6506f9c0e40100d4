"""A bounded in-memory cache of answers, per worker process.

The same e-result is often checked many times (a citizen's file forwarded to a bank and
to an agency), so answers are kept by the document's SHA-256, bounded three ways: by
count, by total size, and by age (a revocation status may change, so an answer is not
kept for ever). Nothing is written to disk; the document itself is never kept.
Used only from the event loop's thread, so it needs no lock.
"""
from __future__ import annotations

import time
from collections import OrderedDict
from typing import Any, Optional


class AnswerCache:
    def __init__(self, max_entries: int, max_bytes: int, max_age: float) -> None:
        self.max_entries = max_entries
        self.max_bytes = max_bytes
        self.max_age = max_age
        self._items: OrderedDict = OrderedDict()   # key -> (stored at, size, value)
        self._bytes = 0

    def __len__(self) -> int:
        return len(self._items)

    @property
    def bytes(self) -> int:
        return self._bytes

    def get(self, key: tuple) -> Optional[Any]:
        item = self._items.get(key)
        if item is None:
            return None
        if time.monotonic() - item[0] > self.max_age:
            self._drop(key)
            return None
        self._items.move_to_end(key)
        return item[2]

    def put(self, key: tuple, value: Any, size: int) -> None:
        if self.max_entries <= 0 or size > self.max_bytes:
            return
        if key in self._items:
            self._drop(key)
        self._items[key] = (time.monotonic(), size, value)
        self._bytes += size
        while len(self._items) > self.max_entries or self._bytes > self.max_bytes:
            self._drop(next(iter(self._items)))

    def _drop(self, key: tuple) -> None:
        _, size, _ = self._items.pop(key)
        self._bytes -= size
