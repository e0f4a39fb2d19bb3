"""Bounded histories for telemetry: old points are thinned, never grown without limit."""

from __future__ import annotations

from typing import Generic, TypeVar

Item = TypeVar("Item")


class BoundedHistory(Generic[Item]):
    """Append-only list that keeps at most ``capacity`` items.

    When full, every second item of the older half is dropped, so recent points stay dense and the whole run
    stays covered at decreasing resolution.
    """

    def __init__(self, capacity: int) -> None:
        if capacity < 4:
            raise ValueError("capacity must be at least 4")
        self.capacity = capacity
        self._items: list[Item] = []

    def append(self, item: Item) -> None:
        self._items.append(item)
        if len(self._items) > self.capacity:
            half = len(self._items) // 2
            self._items = self._items[:half:2] + self._items[half:]

    def items(self) -> list[Item]:
        return list(self._items)

    def __len__(self) -> int:
        return len(self._items)
