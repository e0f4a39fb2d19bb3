"""Recorded runs for the Compare page: bounded keeping, settings side by side, overlaid loss curves."""

import numpy as np
import pandas as pd

from ui.runs import MAX_RUNS, RunRecord, config_comparison, keep, loss_overlay_figure
from w2v_core.config import TrainConfig
from w2v_core.embeddings import Embeddings


def record(number: int, **config) -> RunRecord:
    history = pd.DataFrame({"words_done": [100, 200, 300], "loss": [3.0, 2.5, 2.0]})
    emb = Embeddings(["a", "b", "c"], np.eye(3, dtype=np.float32))
    return RunRecord(number, "Teaching corpus", TrainConfig(**config).to_dict(), "finished", 300, 600, 1.5,
                     history, emb)


def test_keep_drops_the_oldest_beyond_the_limit():
    runs: list[RunRecord] = []
    dropped_all = []
    for number in range(1, MAX_RUNS + 3):
        runs, dropped = keep(runs, record(number))
        dropped_all += [r.number for r in dropped]
    assert [r.number for r in runs] == list(range(3, MAX_RUNS + 3)) and dropped_all == [1, 2]
    runs, dropped = keep(runs, record(MAX_RUNS + 2, dim=7))  # the same run again replaces its record
    assert not dropped and len(runs) == MAX_RUNS and runs[-1].config["dim"] == 7


def test_config_comparison_marks_setup_differences_only():
    a, b = record(1, dim=50, model="cbow"), record(2, dim=100)
    b.seconds, b.state = 9.0, "stopped"
    table = config_comparison(a, b).set_index("setting")
    assert list(table.columns) == ["run 1", "run 2", "differs"]
    # outcome rows are never "differences"; auto learning rates that differ (0.05 for CBOW, 0.025) are
    assert set(table.index[table["differs"]]) == {"dim", "model", "alpha", "min_alpha"}
    assert table.loc["dim", "run 1"] == "50" and table.loc["alpha", "run 2"] == "auto (0.025)"
    assert table.loc["state", "run 2"] == "stopped" and not table.loc["state", "differs"]
    assert "Run 1: CBOW, negative sampling, dim 50" in a.label


def test_loss_overlay_against_words_or_share():
    runs = [record(1), record(2)]
    figure = loss_overlay_figure(runs)
    assert [t.name for t in figure.data if t.showlegend is not False] == ["run 1", "run 2"]
    assert list(figure.data[1].x) == [100, 200, 300]
    relative = loss_overlay_figure(runs, relative=True)
    assert list(relative.data[1].x) == [100 / 600, 200 / 600, 300 / 600]
