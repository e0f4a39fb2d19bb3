"""A corpus too large to keep in memory: its ids live in a temporary file and leave the process once read, and
everything built on them (the corpus, training, a run's fingerprint) is the same as with the ids in memory."""

import threading

import numpy as np
import pytest

from w2v_core import corpus as corpus_module
from w2v_core import spill
from w2v_core.config import TrainConfig
from w2v_core.runfile import corpus_fingerprint
from w2v_core.trainer import Trainer

SENTENCE = "the quick brown fox jumps over the lazy dog while the cat sleeps on a warm mat"


def mapped_kb(array: np.ndarray) -> int:
    """Resident KB of the file mapping behind ``array`` (/proc/self/smaps)."""
    start = np.frombuffer(spill._mapping(array), dtype=np.uint8, count=1).ctypes.data
    resident, inside = 0, False
    with open("/proc/self/smaps") as smaps:
        for line in smaps:
            fields = line.split()
            if "-" in fields[0] and not fields[0].endswith(":"):
                inside = int(fields[0].split("-")[0], 16) == start
            elif inside and fields[0] == "Rss:":
                resident += int(fields[1])
    return resident


def test_given_back_pages_leave_memory_and_keep_their_values():
    ids = spill.spilled_array(8_000_000)
    ids[:] = np.arange(len(ids), dtype=np.int32)
    assert mapped_kb(ids) > 30_000
    for begin in range(0, len(ids), 12_345):  # job-sized ranges, not page-aligned
        spill.give_back(ids, begin, begin + 12_345)
    assert mapped_kb(ids) < 4_096
    assert np.array_equal(ids[::997], np.arange(len(ids), dtype=np.int32)[::997])


def test_give_back_ignores_arrays_in_ordinary_memory():
    ids = np.arange(10, dtype=np.int32)
    spill.give_back(ids, 0, 10)
    assert not spill.is_spilled(ids) and ids.sum() == 45


@pytest.fixture()
def corpus_file(tmp_path):
    rng = np.random.default_rng(0)
    words = SENTENCE.split()
    lines = [" ".join(rng.choice(words, size=rng.integers(3, 30))) for _ in range(20_000)]
    path = tmp_path / "text.txt"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_a_spilled_corpus_equals_the_one_in_memory(corpus_file, monkeypatch):
    in_memory = corpus_module.load_corpus(corpus_file, min_count=2)
    monkeypatch.setattr(corpus_module, "SPILL_MIN_BYTES", 1)
    spilled = corpus_module.load_corpus(corpus_file, min_count=2)
    assert spill.is_spilled(spilled.ids) and not spill.is_spilled(in_memory.ids)
    assert spilled.vocab.words == in_memory.vocab.words
    assert np.array_equal(spilled.ids, in_memory.ids)
    assert np.array_equal(spilled.sentence_starts, in_memory.sentence_starts)
    assert corpus_fingerprint(spilled.ids, spilled.sentence_starts) == \
        corpus_fingerprint(in_memory.ids, in_memory.sentence_starts)

    config = TrainConfig(model="cbow", dim=16, epochs=2, workers=1, seed=3)
    trained = [Trainer(c, config, chunk_words=1000) for c in (in_memory, spilled)]
    for trainer in trained:
        done = threading.Event()
        trainer.add_done_callback(lambda _, done=done: done.set())
        trainer.start()
        assert done.wait(120) and trainer.state == "finished"
    assert np.array_equal(trained[0].w_in, trained[1].w_in)  # bit for bit: the same ids were read


def test_a_growing_spilled_array_keeps_what_was_written(tmp_path):
    ids = spill.spilled_array(1000)
    ids[:] = np.arange(1000)
    larger = spill.grow_spilled(ids, 5000)
    assert spill.is_spilled(larger) and len(larger) == 5000
    assert np.array_equal(larger[:1000], np.arange(1000))


def test_no_room_on_disk_keeps_the_ids_in_memory(corpus_file, monkeypatch):
    def full_disk(*args):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(spill.os, "posix_fallocate", full_disk)
    monkeypatch.setattr(corpus_module, "SPILL_MIN_BYTES", 1)
    corpus = corpus_module.load_corpus(corpus_file, min_count=2)
    assert not spill.is_spilled(corpus.ids) and corpus.n_tokens > 100_000
