"""The command line's run files: --save-run, --stop-after-epoch, --resume (bit-identical at one worker), more
epochs, a refused corpus, and run files accepted by neighbours, eval and convert."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from w2v_core.cli import main
from w2v_core.formats import load_vectors
from w2v_core.progress import is_stage_line
from w2v_core.runfile import read_run
from w2v_core.teaching import generate_teaching_corpus

SMALL = ["--dim", "10", "--epochs", "3", "--workers", "1", "--quiet", "--min-count", "2"]


@pytest.fixture(scope="module")
def folder(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("runs")
    (folder / "teaching.txt").write_text("\n".join(generate_teaching_corpus(1500, seed=0)) + "\n", encoding="utf-8")
    (folder / "other.txt").write_text("\n".join(generate_teaching_corpus(1500, seed=5)) + "\n", encoding="utf-8")
    return folder


def train(capsys, *args: str) -> dict:
    assert main(["train", *args]) == 0, capsys.readouterr().err
    return json.loads(capsys.readouterr().out.strip().splitlines()[-1])


@pytest.mark.parametrize("model, loss", [("cbow", "hierarchical"), ("skipgram", "negative")])
def test_a_run_split_after_an_epoch_gives_the_same_vectors(folder, capsys, model, loss):
    corpus, kind = str(folder / "teaching.txt"), ["--model", model, "--loss", loss]
    train(capsys, corpus, "-o", str(folder / "whole.npz"), *SMALL, *kind)
    half = train(capsys, corpus, "-o", str(folder / "half.npz"), *SMALL, *kind, "--stop-after-epoch", "1",
                 "--save-run", str(folder / "half.w2vrun"))
    assert half["stopped_after_epoch"] == 1 and read_run(folder / "half.w2vrun").state == "paused"
    train(capsys, "--resume", str(folder / "half.w2vrun"), "-o", str(folder / "rest.npz"), "--quiet")
    whole, rest = load_vectors(folder / "whole.npz"), load_vectors(folder / "rest.npz")
    assert whole.words == rest.words and np.array_equal(whole.vectors, rest.vectors)


def test_more_epochs_and_the_run_file_as_vectors(folder, capsys):
    corpus, run = str(folder / "teaching.txt"), str(folder / "done.w2vrun")
    train(capsys, corpus, "-o", str(folder / "done.txt"), *SMALL, "--save-run", run)
    assert main(["train", "--resume", run, "-o", str(folder / "again.txt"), "--quiet"]) == 2
    assert "all its 3 planned epochs: add --epochs M" in capsys.readouterr().err
    more = train(capsys, "--resume", run, "-o", str(folder / "more.txt"), "--quiet", "--epochs", "2",
                 "--save-run", str(folder / "more.w2vrun"))
    assert more["epochs"] == 5 and read_run(folder / "more.w2vrun").epochs_done == 5
    assert len(read_run(folder / "more.w2vrun").loss_points) > len(read_run(run).loss_points)
    assert main(["neighbours", run, "king", "-k", "3"]) == 0
    assert len(capsys.readouterr().out.strip().splitlines()) == 3
    assert main(["convert", run, str(folder / "converted.bin")]) == 0
    assert np.allclose(load_vectors(folder / "converted.bin").vectors, load_vectors(folder / "done.txt").vectors,
                       atol=1e-5)
    pairs = folder / "pairs.tsv"
    pairs.write_text("king queen 9\nking man 6\nred blue 7\nmonday king 1\n", encoding="utf-8")
    assert main(["eval", run, "--pairs", str(pairs)]) == 0
    assert "spearman" in capsys.readouterr().out


def test_another_corpus_or_a_damaged_run_is_one_line_with_exit_code_2(folder, capsys):
    run = folder / "for-refusal.w2vrun"
    train(capsys, str(folder / "teaching.txt"), "-o", str(folder / "r.txt"), *SMALL, "--stop-after-epoch", "1",
          "--save-run", str(run))
    assert main(["train", "--resume", str(run), str(folder / "other.txt"), "-o", str(folder / "x.txt")]) == 2
    error = capsys.readouterr().err
    lines = [line for line in error.strip().splitlines() if not is_stage_line(line)]  # progress of stages done
    assert "not the one the run was trained on" in error and len(lines) == 1
    broken = folder / "broken.w2vrun"
    broken.write_bytes(run.read_bytes()[:2000])
    for command in (["train", "--resume", str(broken), "-o", str(folder / "x.txt")],
                    ["neighbours", str(broken), "king"]):
        assert main(command) == 2
        assert "not a zip archive, or it is truncated" in capsys.readouterr().err
    assert main(["convert", str(folder / "r.txt"), str(folder / "x.w2vrun")]) == 2
    assert "train --save-run" in capsys.readouterr().err
