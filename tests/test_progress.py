"""The command line's progress (tqdm): live bars on a terminal, one line per stage in a log, nothing with --quiet."""

import fcntl
import io
import os
import pty
import struct
import subprocess
import sys
import termios
from pathlib import Path

from tqdm import tqdm

from w2v_core.progress import Stage, is_stage_line

REPO = Path(__file__).resolve().parent.parent
LINES = ["the king rules the land", "the queen rules the land", "a man walks", "a woman walks"] * 300  # 4,800 words


def train_command(tmp_path: Path, *extra: str) -> list[str]:
    corpus = tmp_path / "corpus.txt"
    corpus.write_text("\n".join(LINES) + "\n")
    return [sys.executable, "-m", "w2v_core", "train", str(corpus), "-o", str(tmp_path / "v.bin"), "--min-count",
            "1", "--dim", "16", "--epochs", "3", *extra]


def environment() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(REPO)}


def test_a_log_gets_one_line_per_stage(tmp_path: Path) -> None:
    done = subprocess.run(train_command(tmp_path, "--save-run", str(tmp_path / "run.w2vrun")), cwd=tmp_path,
                          capture_output=True, text=True, env=environment(), timeout=300)
    assert done.returncode == 0, done.stderr
    assert "\r" not in done.stderr
    stages = [line for line in done.stderr.splitlines() if not line.startswith(("preparing kernels", "kernels "))]
    assert [line.split(":")[0] for line in stages] == ["reading", "counting", "training", "writing"]
    assert stages[1].startswith("counting: 1.20k lines in ")
    assert stages[2].startswith("training: 14.4k words in ") and ", loss " in stages[2]
    assert stages[3].startswith("writing: ") and stages[3].endswith(", v.bin, run.w2vrun")
    size = (tmp_path / "v.bin").stat().st_size + (tmp_path / "run.w2vrun").stat().st_size
    assert stages[3].split()[1] == tqdm.format_sizeof(size) + "B"  # bytes of both files, e.g. "9.83kB"


def test_quiet_shows_no_progress(tmp_path: Path) -> None:
    done = subprocess.run(train_command(tmp_path, "--quiet"), cwd=tmp_path, capture_output=True, text=True,
                          env=environment(), timeout=300)
    assert done.returncode == 0 and done.stderr == ""


def test_a_terminal_gets_live_tqdm_bars(tmp_path: Path) -> None:
    leader, follower = pty.openpty()
    fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", 30, 120, 0, 0))  # 120 columns
    process = subprocess.Popen(train_command(tmp_path), cwd=tmp_path, stderr=follower, stdout=subprocess.PIPE,
                               env=environment())
    os.close(follower)
    shown = b""
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # the process closed its end
            break
        if not chunk:
            break
        shown += chunk
    os.close(leader)
    assert process.wait(timeout=300) == 0
    text = shown.decode()
    for stage in ("reading", "counting", "training", "writing"):
        assert f"\r{stage}:" in text
    assert "training: 100%|" in text and "14.4k/14.4k" in text and "words/s" in text


def test_stage_line_and_silence_on_failure() -> None:
    log = io.StringIO()
    with Stage("counting", total=3, unit="lines", stream=log) as stage:
        for _ in stage.iterate(["a", "b", "c"]):
            pass
        stage.set_note("3 kept")
    assert log.getvalue().startswith("counting: 3 lines in ") and log.getvalue().endswith(", 3 kept\n")
    assert is_stage_line(log.getvalue())
    failed = io.StringIO()
    try:
        with Stage("reading", unit="B", stream=failed) as stage:
            stage.update(10)
            raise ValueError("bad file")
    except ValueError:
        pass
    assert failed.getvalue() == ""  # the error says what happened; no "reading: ..." line before it
    resumed = io.StringIO()
    with Stage("training", total=100, unit="words", stream=resumed, initial=60, unit_scale=False) as stage:
        stage.update(40)
    assert resumed.getvalue().startswith("training: 40 words in ")
