"""Large arrays kept in an unlinked temporary file and memory-mapped, whose pages are given back once read.

A corpus of 20M tokens is 80 MB of int32 ids. Held in ordinary memory they stay in the process for the whole run;
mapped from a file, the pages a training job has read can leave the process (``give_back``): the ids stay in the
file and in the kernel's page cache, which the OS reclaims when it needs to, and are read again next epoch at the
cost of a minor page fault per 4 KB. The file has no name (removed as soon as it is made), so nothing is left
behind however the process ends.
"""

from __future__ import annotations

import mmap
import os
import tempfile

import numpy as np

PAGE = mmap.PAGESIZE
WINDOW = max(PAGE, 1 << 21)  # a read fault maps the cached pages around it: a large folio, up to 2 MB (Linux)


def spilled_array(length: int, dtype: np.dtype | type = np.int32, folder: str | None = None) -> np.ndarray:
    """A zero-filled (length,) array backed by a new temporary file in ``folder`` (the system's temp folder when
    None). Raises OSError when the disk has no room for it."""
    dtype = np.dtype(dtype)
    size = max(length * dtype.itemsize, PAGE)
    with tempfile.TemporaryFile(dir=folder) as file:  # the mapping keeps the (nameless) file alive
        os.posix_fallocate(file.fileno(), 0, size)  # room now: a write to a mapping of a full disk kills the process
        mapping = mmap.mmap(file.fileno(), size)
    return np.frombuffer(mapping, dtype=dtype, count=length)


def grow_spilled(array: np.ndarray, length: int) -> np.ndarray:
    """A larger spilled array that starts with ``array``'s values (copied block by block, pages given back)."""
    larger = spilled_array(length, array.dtype)
    block = 1 << 22
    for begin in range(0, len(array), block):
        end = min(begin + block, len(array))
        larger[begin:end] = array[begin:end]
        give_back(array, begin, end)
        give_back(larger, begin, end)
    return larger


def _mapping(array: np.ndarray) -> mmap.mmap | None:
    base = array
    while isinstance(base, np.ndarray):
        base = base.base
    if isinstance(base, memoryview):  # np.frombuffer's base
        base = base.obj
    return base if isinstance(base, mmap.mmap) else None


def is_spilled(array: np.ndarray) -> bool:
    return _mapping(array) is not None


def give_back(array: np.ndarray, begin: int, end: int) -> None:
    """Let the OS take back the pages of array[begin:end] (1-D) from this process: a spilled array's data stay in
    its file and are read again on next use, by any thread. Does nothing for an array in ordinary memory."""
    mapping = _mapping(array)
    if mapping is None or end <= begin:
        return
    start = np.frombuffer(mapping, dtype=np.uint8, count=1).ctypes.data
    first = array.ctypes.data + begin * array.itemsize - start
    last = array.ctypes.data + end * array.itemsize - start
    # Whole 2 MB windows: reading a neighbouring range maps the cached pages around it (fault-around, large
    # folios), so pages given back by exact bounds come back. A neighbour in use maps its pages again.
    first, last = first // WINDOW * WINDOW, min(-(-last // WINDOW) * WINDOW, len(mapping))
    if last > first:
        mapping.madvise(mmap.MADV_DONTNEED, first, last - first)
