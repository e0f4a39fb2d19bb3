"""Run files: saved and opened whole, continued bit-identically, and every damaged or hostile file refused with
one clear message before anything is used."""

from __future__ import annotations

import contextlib
import io
import json
import struct
import zipfile

import numpy as np
import pytest
from wait_support import wait_for

from w2v_core.corpus import build_corpus
from w2v_core.runfile import MANIFEST, RunFileError, describe_file, read_run, run_bytes, write_run
from w2v_core.teaching import generate_teaching_corpus
from w2v_core.trainer import TrainConfig, Trainer

CHUNK = 500


@pytest.fixture(scope="module")
def corpus():
    return build_corpus(generate_teaching_corpus(600, seed=0), min_count=2)


def trained(corpus, stop_after: int | None = None, **settings) -> Trainer:
    config = TrainConfig(**{"dim": 12, "epochs": 3, "workers": 1, "seed": 3, **settings})
    trainer = Trainer(corpus, config, chunk_words=CHUNK)
    if stop_after:
        trainer.stop_after_epoch(stop_after)
    trainer.step(10**9)
    return trainer


@pytest.fixture(scope="module")
def saved(corpus) -> bytes:
    return run_bytes(trained(corpus, stop_after=2).run_state("Teaching corpus", {"kind": "teaching"}))


@pytest.mark.parametrize("model", ["skipgram", "cbow"])
@pytest.mark.parametrize("loss", ["negative", "hierarchical"])
def test_a_run_stopped_after_an_epoch_and_resumed_is_bit_identical(corpus, model, loss, tmp_path):
    whole = trained(corpus, model=model, loss=loss)
    first = trained(corpus, stop_after=1, model=model, loss=loss)
    assert first.state == "paused" and first.progress().words_done == corpus.n_tokens
    path = write_run(first.run_state("tiny"), tmp_path / "half.w2vrun")
    resumed = Trainer.from_run_state(read_run(path), corpus)
    assert resumed.progress().words_done == corpus.n_tokens and resumed.state == "ready"
    resumed.step(10**9)
    assert resumed.state == "finished"
    assert np.array_equal(resumed.w_in, whole.w_in) and np.array_equal(resumed.w_out, whole.w_out)
    # the loss history goes on where it stopped
    assert len(resumed.recorder.loss_history()) == len(whole.recorder.loss_history())
    assert np.allclose(resumed.recorder.epoch_mean_losses(), whole.recorder.epoch_mean_losses())


def test_everything_saved_comes_back(corpus, saved):
    original = trained(corpus, stop_after=2)
    run = read_run(saved)
    assert run.words == original.vocab.words and np.array_equal(run.counts, original.vocab.counts)
    assert run.config == original.config.to_dict() and run.state == "paused"
    assert run.corpus.name == "Teaching corpus" and run.corpus.tokens == corpus.n_tokens
    assert run.epochs_done == 2 and run.words_done == 2 * corpus.n_tokens
    opened = Trainer.from_run_state(run)  # without its corpus: to look at, not to train
    assert opened.state == "stopped" and not opened.trainable
    assert np.array_equal(opened.vectors(), original.vectors())
    assert opened.recorder.loss_history().equals(original.recorder.loss_history())
    assert len(opened.recorder.snapshots()) == len(original.recorder.snapshots())
    last, then = opened.recorder.snapshots()[-1], original.recorder.snapshots()[-1]
    assert last.words_done == then.words_done and np.allclose(last.vectors, then.vectors, atol=1e-3)
    assert opened.recorder.gradient_stats().words_done == original.recorder.gradient_stats().words_done
    history = opened.recorder.gradient_history([0, 5])  # float16 on disk
    then = original.recorder.gradient_history([0, 5])
    assert history["words_done"].equals(then["words_done"]) and len(history) >= 2
    assert np.allclose(history["input_norm"], then["input_norm"], rtol=1e-3)
    assert opened.progress().words_done == 2 * corpus.n_tokens and opened.progress().epoch == 3
    with pytest.raises(RuntimeError, match="without its corpus"):
        opened.step(1000)
    assert read_run(run_bytes(opened.run_state())).corpus == run.corpus  # saved again, it stays the same run
    kept = original.run_state()  # what the app keeps for every ended run: the trainer's own history arrays
    assert kept.snapshot_vectors[-1] is original.recorder.snapshots()[-1].vectors


def test_a_run_stopped_anywhere_by_several_workers_continues_to_the_end(corpus):
    config = TrainConfig(dim=12, epochs=3, workers=2, seed=3)
    trainer = Trainer(corpus, config, chunk_words=CHUNK)
    trainer.step(corpus.n_tokens + 3 * CHUNK)  # into the second epoch
    trainer.stop()
    run = read_run(run_bytes(trainer.run_state()))
    assert run.state == "stopped" and run.jobs_per_epoch < run.next_job < 2 * run.jobs_per_epoch
    continued = Trainer.from_run_state(run, corpus)
    assert continued.progress().words_done == run.words_done  # every job before next_job was trained
    with pytest.raises(ValueError, match="already trained 1 epoch"):
        continued.stop_after_epoch(1)
    continued.start()
    wait_for(lambda: continued.state == "finished", limit=60, poll=0.02)
    assert continued.state == "finished" and continued.progress().words_done == 3 * corpus.n_tokens
    assert len(continued.recorder.epoch_mean_losses()) == 3


def test_history_beyond_the_position_is_dropped_when_a_run_continues(corpus):
    run = trained(corpus, stop_after=2).run_state()
    run.next_job -= 3  # as when several workers had trained three jobs beyond the first one not trained
    continued = Trainer.from_run_state(run, corpus)
    words = continued.progress().words_done
    assert words < run.words_done
    assert continued.recorder.loss_history()["words_done"].max() <= words
    assert all(s.words_done <= words for s in continued.recorder.snapshots())


def test_more_epochs_extend_the_plan_and_its_learning_rate(corpus):
    finished = trained(corpus, epochs=2)
    run = read_run(run_bytes(finished.run_state()))
    longer = Trainer.from_run_state(run, corpus, more_epochs=2)
    assert longer.progress().words_total == 4 * corpus.n_tokens and longer.progress().epochs == 4
    start = longer.config.start_alpha
    assert longer.progress().alpha == pytest.approx(start - (start - longer.config.end_alpha) / 2, rel=1e-6)
    longer.step(10**9)
    assert longer.state == "finished" and len(longer.recorder.epoch_mean_losses()) == 4
    assert not np.array_equal(longer.w_in, finished.w_in)


def test_another_corpus_is_refused_saying_what_differs(corpus, saved):
    other = build_corpus(generate_teaching_corpus(600, seed=1), min_count=2)
    with pytest.raises(RunFileError, match="not the one the run was trained on: .*(words|occurs|frequency)"):
        Trainer.from_run_state(read_run(saved), other)
    fewer = build_corpus(generate_teaching_corpus(600, seed=0), min_count=3)
    with pytest.raises(RunFileError, match=r"vocabulary has \d+ words, this corpus's \d+"):
        Trainer.from_run_state(read_run(saved), fewer)


# ------------------------------------------------------------------------------------------- hostile files


def entries_of(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def zipped(entries: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return out.getvalue()


def with_manifest(data: bytes, change) -> bytes:  # noqa: ANN001 - a function that edits the manifest dict
    entries = entries_of(data)
    manifest = json.loads(entries[MANIFEST])
    change(manifest)
    entries[MANIFEST] = json.dumps(manifest).encode()
    return zipped(entries)


def npy(array: np.ndarray) -> bytes:
    out = io.BytesIO()
    np.save(out, array, allow_pickle=True)
    return out.getvalue()


def refused(data: bytes, pattern: str, **options) -> None:
    with pytest.raises(RunFileError, match=pattern):
        read_run(data, **options)


def test_truncated_and_foreign_files_are_refused(saved):
    refused(saved[: len(saved) // 2], "not a zip archive, or it is truncated")
    refused(b"hello, this is text", "not a zip archive")
    refused(zipped({"vectors.tsv": b"1 2 3\n"}), "not a Word2Vec Lab run .it has no manifest.json")
    refused(with_manifest(saved, lambda m: m.update(format="something")), "not a Word2Vec Lab run")
    refused(with_manifest(saved, lambda m: m.update(version=7)), "version 7, newer than this Word2Vec Lab reads")
    refused(zipped({**entries_of(saved), "notes.txt": b"hi"}), "entries a run does not have .notes.txt")
    entries = entries_of(saved)
    del entries["w_out.npy"]
    refused(zipped(entries), "lacks w_out.npy")


def test_a_damaged_entry_is_caught_by_its_checksum(saved):
    data = bytearray(saved)
    with zipfile.ZipFile(io.BytesIO(saved)) as archive:  # w_in is stored: flip a byte in the middle of its data
        info = archive.getinfo("w_in.npy")
        start = info.header_offset + 30 + len(info.filename) + len(info.extra)
    data[start + info.compress_size // 2] ^= 0xFF
    refused(bytes(data), "damaged or truncated")


def test_entries_that_climb_out_are_refused(saved):
    refused(zipped({**entries_of(saved), "../../etc/evil.npy": b"x"}), "names a path outside the archive")
    refused(zipped({**entries_of(saved), "/tmp/evil.npy": b"x"}), "names a path outside the archive")


def test_sizes_are_checked_from_the_manifest_before_anything_is_inflated(saved):
    refused(saved, "unpack to .* MB, more than the 0.001 MB allowed here", max_bytes=1000)

    def huge(manifest):
        manifest["vocab_size"] = 50_000_000
        for name in ("w_in", "w_out"):
            manifest["arrays"][name]["shape"] = [50_000_000, 12]
    refused(with_manifest(saved, huge), "disagrees with the rest of the run|more than the")


def test_an_entry_claiming_an_impossible_compression_ratio_is_a_zip_bomb(saved):
    entries = entries_of(saved)
    manifest = json.loads(entries[MANIFEST])
    shape = manifest["arrays"]["w_in"]["shape"]
    bomb = np.zeros(shape, dtype=np.float32)
    entries["w_in.npy"] = npy(bomb)
    data = bytearray(zipped(entries))
    # forge the central directory: the entry claims to be packed into 10 bytes
    name = b"w_in.npy"
    at = data.index(b"PK\x01\x02")  # the first central directory header
    while bytes(data[at + 46:at + 46 + struct.unpack("<H", data[at + 28:at + 30])[0]]) != name:
        at = data.index(b"PK\x01\x02", at + 4)
    data[at + 20:at + 24] = struct.pack("<I", 10)
    refused(bytes(data), "zip bomb")


def test_arrays_that_disagree_are_refused(saved):
    def wrong_shape(manifest):
        manifest["arrays"]["w_in"]["shape"][1] = 99
    refused(with_manifest(saved, wrong_shape), "w_in has the shape .* disagrees with the rest of the run")

    def wrong_dtype(manifest):
        manifest["arrays"]["w_in"]["dtype"] = "<f8"
    refused(with_manifest(saved, wrong_dtype), "w_in is declared as <f8")

    entries = entries_of(saved)  # an array whose .npy header disagrees with the manifest
    entries["vocab_counts.npy"] = npy(np.arange(len(np.load(io.BytesIO(entries["vocab_counts.npy"]))),
                                                dtype=np.float64))
    refused(zipped(entries), "vocab_counts.npy holds float64")


def test_a_pickle_is_never_loaded(saved):
    entries = entries_of(saved)
    manifest = json.loads(entries[MANIFEST])
    length = manifest["arrays"]["sample_ids"]["shape"][0]
    entries["sample_ids.npy"] = npy(np.array([object()] * length, dtype=object))
    refused(zipped(entries), "sample_ids.npy")


def test_bad_values_are_refused(saved):
    entries = entries_of(saved)
    w_in = np.load(io.BytesIO(entries["w_in.npy"]))
    w_in[3, 2] = np.nan
    entries["w_in.npy"] = npy(w_in)
    refused(zipped(entries), "w_in weights hold values that are not finite")
    refused(with_manifest(saved, lambda m: m["config"].update(dim=0)), "configuration is not valid: dim")
    refused(with_manifest(saved, lambda m: m["position"].update(next_job=10**9)), "next_job = 1000000000")
    refused(with_manifest(saved, lambda m: m["position"].update(state="exploded")), "state 'exploded'")


def test_a_file_is_described_from_its_manifest_alone(saved, tmp_path):
    path = tmp_path / "a.w2vrun"
    path.write_bytes(saved)
    assert describe_file(path) == "skipgram, negative, dim 12 on Teaching corpus, 3 epochs (paused)"
    path.write_bytes(saved[:100])
    with pytest.raises(RunFileError, match="not a readable run file"):
        describe_file(path)


def refusal(data: bytes) -> bool:
    """True when opening is refused with a RunFileError; any other exception fails the test."""
    with contextlib.suppress(RunFileError):
        read_run(data)
        return False
    return True


def test_no_damage_or_tampering_gets_past_with_anything_but_one_message():
    """Random byte changes anywhere, and every manifest value replaced by values of other types."""
    small = build_corpus(generate_teaching_corpus(150, seed=0), min_count=2)
    trainer = Trainer(small, TrainConfig(dim=4, epochs=2, workers=1), chunk_words=300)
    trainer.stop_after_epoch(1)
    trainer.step(10**9)
    saved = run_bytes(trainer.run_state("tiny"))
    rng = np.random.default_rng(0)
    refused = 0
    for _ in range(300):
        data = bytearray(saved)
        for _ in range(int(rng.integers(1, 4))):
            data[int(rng.integers(len(data)))] = int(rng.integers(256))
        refused += refusal(bytes(data))
    assert refused >= 240, refused  # CRCs catch any change of data; zip dates and attributes go unread
    manifest = json.loads(entries_of(saved)[MANIFEST])

    def leaves(node, path=()):  # noqa: ANN001, ANN202 - JSON values
        items = node.items() if isinstance(node, dict) else enumerate(node) if isinstance(node, list) else None
        if items is None:
            yield path
        else:
            for key, value in items:
                yield from leaves(value, (*path, key))

    refused = tried = 0
    for path in leaves(manifest):
        for value in (None, "x", -1, 10**30, True):
            def change(m, path=path, value=value):  # noqa: ANN001, ANN202
                for key in path[:-1]:
                    m = m[key]
                m[path[-1]] = value
            tried += 1
            refused += refusal(with_manifest(saved, change))
    assert refused > 0.9 * tried, (refused, tried)  # what passes is harmless: a name, a date, an optional learning rate
