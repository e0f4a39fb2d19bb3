"""The command line: training end to end, evaluation, conversion, and one-line errors with exit code 2."""

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from w2v_core.cli import main
from w2v_core.formats import load_vectors
from w2v_core.progress import is_stage_line
from w2v_core.teaching import TEACHING_ANALOGIES, TEACHING_GROUPS, generate_teaching_corpus, group_of

REPO = Path(__file__).resolve().parent.parent
GENSIM_DATA = Path(pytest.importorskip("gensim").__file__).parent / "test" / "test_data"


@pytest.fixture(scope="module")
def teaching_file(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("corpus") / "teaching.txt"
    path.write_text("\n".join(generate_teaching_corpus()) + "\n", encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def trained(teaching_file, tmp_path_factory) -> tuple[Path, dict]:
    out = tmp_path_factory.mktemp("vectors") / "teaching.bin"
    run = subprocess.run([sys.executable, "-m", "w2v_core", "train", str(teaching_file), "-o", str(out),
                          "--dim", "50", "--epochs", "5", "--workers", "2"], capture_output=True, text=True,
                         timeout=300)
    assert run.returncode == 0, run.stderr
    assert "words/s" in run.stderr  # the progress bar
    return out, json.loads(run.stdout.strip().splitlines()[-1])


def test_train_prints_a_json_summary_and_writes_vectors(trained):
    out, summary = trained
    assert summary["vocab"] > 300 and summary["tokens"] > 100_000
    assert summary["words_per_second"] > 0 and 0 < summary["final_loss"] < 5
    emb = load_vectors(out)
    assert len(emb) == summary["vocab"] and emb.dim == 50


def test_trained_vectors_learn_the_known_groups_and_analogies(trained):
    emb = load_vectors(trained[0])
    words = [w for group in TEACHING_GROUPS.values() for w in group]
    same_group = [group_of(emb.most_similar(w, k=1)[0][0]) == group_of(w) for w in words]
    assert np.mean(same_group) > 0.8
    correct = [emb.analogy(a, b, c, k=1)[0][0] == d for a, b, c, d in TEACHING_ANALOGIES]
    assert np.mean(correct) > 0.7


def test_neighbours_and_convert_and_eval(trained, tmp_path, capsys):
    out = trained[0]
    assert main(["neighbours", str(out), "monday", "-k", "3"]) == 0
    neighbours = [line.split("\t")[0] for line in capsys.readouterr().out.splitlines()]
    assert len(neighbours) == 3 and "monday" not in neighbours
    assert main(["convert", str(out), str(tmp_path / "v.npz"), "--limit", "100"]) == 0
    assert len(load_vectors(tmp_path / "v.npz")) == 100
    assert main(["eval", str(out), "--pairs", str(GENSIM_DATA / "wordsim353.tsv"),
                 "--analogies", str(GENSIM_DATA / "questions-words.txt")]) == 0
    text = capsys.readouterr().out
    assert "spearman" in text and "accuracy" in text and "coverage" in text


def test_gradcheck_prints_six_rows_and_passes(capsys):
    assert main(["gradcheck"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert sum(line.endswith("ok") for line in lines) == 6


@pytest.mark.parametrize("args", [
    ["train", "missing.txt", "-o", "x.bin"],
    ["train", "{corpus}", "-o", "x.unknown"],
    ["train", "{corpus}", "-o", "x.bin", "--dim", "0"],
    ["train", "{corpus}", "-o", "x.bin", "--window", "-3"],
    ["train", "{corpus}", "-o", "x.bin", "--min-count", "100000000"],
    ["train", "{corpus}", "-o", "x.bin", "--alpha", "-1"],
    ["neighbours", "{vectors}", "no-such-word"],
    ["neighbours", "{garbage}", "monday"],
    ["eval", "{vectors}"],
    ["convert", "{vectors}", "out.weird"],
    ["nonsense"],
    ["train"],
])
def test_bad_input_is_one_line_on_stderr_with_exit_code_2(args, teaching_file, trained, tmp_path):
    garbage = tmp_path / "garbage.txt"
    garbage.write_bytes(b"3 2\nword 1.0 x\n")
    args = [a.format(corpus=teaching_file, vectors=trained[0], garbage=garbage) for a in args]
    run = subprocess.run([sys.executable, "-m", "w2v_core", *args], capture_output=True, text=True, timeout=120,
                         cwd=tmp_path, env={**os.environ, "PYTHONPATH": str(REPO)})
    assert run.returncode == 2
    lines = [line for line in run.stderr.strip().splitlines() if not is_stage_line(line)]  # progress of stages done
    assert len(lines) == 1 and "error" in lines[0] and "Traceback" not in run.stderr
