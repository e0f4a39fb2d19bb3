"""The benchmark scripts on fake numbers (no training): medians, ratios, tables, report, commands, RSS."""

import math
import sys

import pytest

from benchmarks import bench_gensim as bench
from benchmarks import gensim_train, harness


def run(tool, config="skipgram-negative", workers=2, repeat=0, wall=10.0, wps=1e5, wordsim=0.5, analogy=0.2):
    return bench.RunResult(tool=tool, config=config, workers=workers, repeat=repeat, wall_seconds=wall,
                             cpu_seconds=wall * 1.5, peak_rss_mb=300.0 if tool == "ours" else 200.0,
                             words_per_second=wps, vocab=14140, tokens=959320, wordsim=wordsim, simlex=0.2,
                             analogy=analogy, seed=repeat + 1)


def test_median_ignores_nan_and_ratio_direction():
    assert bench.median([3.0, float("nan"), 1.0, 2.0]) == 2.0
    assert math.isnan(bench.median([float("nan")]))
    assert bench.speed_ratio(gensim_seconds=12.0, our_seconds=6.0) == 2.0  # ours twice as fast
    assert bench.speed_ratio(6.0, 12.0) == 0.5
    assert math.isnan(bench.speed_ratio(1.0, 0.0))


def test_summarize_takes_medians_and_pairs_ratios_by_repeat():
    runs = []
    for repeat, (ours, gensim) in enumerate([(5.0, 10.0), (6.0, 9.0), (50.0, 11.0)]):  # one noisy run of ours
        runs += [run("ours", repeat=repeat, wall=ours, wordsim=0.50 + repeat / 100),
                 run("gensim", repeat=repeat, wall=gensim, wordsim=0.52)]
    (row,) = bench.summarize(runs)
    assert (row["config"], row["workers"]) == ("skipgram-negative", 2)
    assert row["wall_ours"] == 6.0 and row["wall_gensim"] == 10.0
    assert row["ratio"] == pytest.approx(10.0 / 6.0)
    assert row["ratio_low"] == pytest.approx(11.0 / 50.0) and row["ratio_high"] == pytest.approx(2.0)
    assert row["wps_ours"] == 1e5 and row["cpu_ours"] == pytest.approx(9.0)
    assert row["wordsim_ours"] == pytest.approx(0.51) and row["wordsim_gensim"] == pytest.approx(0.52)


def test_summarize_orders_rows_and_skips_one_sided_cells():
    runs = [run("ours", "cbow-negative", 1), run("gensim", "cbow-negative", 1),
            run("ours", "skipgram-negative", 2), run("gensim", "skipgram-negative", 2),
            run("ours", "skipgram-negative", 1), run("gensim", "skipgram-negative", 1),
            run("ours", "skipgram-hierarchical", 2)]  # gensim missing: no row
    rows = bench.summarize(runs)
    assert [(r["config"], r["workers"]) for r in rows] == [("skipgram-negative", 1), ("skipgram-negative", 2),
                                                     ("cbow-negative", 1)]


def test_quality_bar():
    def ok(ws_o, ws_g, an_o, an_g):
        runs = [run("ours", wordsim=ws_o, analogy=an_o), run("gensim", wordsim=ws_g, analogy=an_g)]
        return bench.quality_by_config(runs)[0]["quality_ok"]

    assert ok(0.49, 0.50, 0.18, 0.20)  # within 0.02 and exactly 0.9x
    assert not ok(0.47, 0.50, 0.30, 0.20)  # WordSim 0.03 below
    assert not ok(0.60, 0.50, 0.17, 0.20)  # analogy 0.85x


def test_quality_is_judged_on_means_over_seeds_and_worker_counts():
    runs = []
    for workers in (1, 2):  # gensim's analogy accuracy swings by seed; so does ours, on other seeds
        for repeat, (an_ours, an_gensim) in enumerate([(0.036, 0.044), (0.039, 0.036), (0.043, 0.040)]):
            runs += [run("ours", "cbow-negative", workers, repeat, analogy=an_ours, wordsim=0.22),
                     run("gensim", "cbow-negative", workers, repeat, analogy=an_gensim, wordsim=0.21)]
    (pooled,) = bench.quality_by_config(runs)
    assert (pooled["runs_ours"], pooled["runs_gensim"], pooled["seeds"]) == (6, 6, 3)
    assert pooled["analogy_ours"] == pytest.approx(0.0393, abs=1e-4)
    assert pooled["analogy_ratio"] == pytest.approx(0.118 / 0.120) and pooled["quality_ok"]
    assert not bench.quality_by_config([r for r in runs if r.seed == 1])[0]["quality_ok"]  # one seed: 0.82x
    runs = [run("ours", analogy=0.17), run("gensim", analogy=0.2)]
    assert not bench.quality_by_config(runs)[0]["quality_ok"]
    table = bench.quality_table(bench.quality_by_config(runs))
    assert "| skipgram-negative | 1 / 1 (1) |" in table and table.endswith("(0.85×) | missed |")


def test_markdown_table_has_a_cell_per_column():
    runs = [run("ours", wall=4.0, wps=912_345.6), run("gensim", wall=6.0, wps=456_789.0)]
    table = bench.markdown_table(bench.summarize(runs))
    header, rule, body = table.splitlines()
    assert header.count("|") == rule.count("|") == body.count("|") == len(bench.COLUMNS) + 1
    cells = [cell.strip() for cell in body.strip("|").split("|")]
    assert cells[:5] == ["skipgram-negative", "2", "4.0", "6.0", "**1.50** (1.50–1.50)"]
    assert "912,346" in cells and "456,789" in cells and cells[-1] == "0.200 / 0.200"


def test_report_has_the_header_settings_vocabularies_and_tables():
    runs = [run("ours", wall=4.0), run("gensim", wall=6.0)]
    meta = {"header": {"Command": "`python benchmarks/bench_gensim.py`", "Date": "today"}, "epochs": 5,
            "repeats": 1, "corpus": "benchmarks/data/corpus.lower.txt"}
    text = bench.report(runs, **meta)
    assert text.startswith("- Command: `python benchmarks/bench_gensim.py`\n- Date: today\n")
    assert "epochs 5, 1 repeat(s)" in text and "ours 14,140 words / 959,320 tokens" in text
    assert bench.markdown_table(bench.summarize(runs)) in text


def test_parse_summary_takes_the_last_json_line():
    out = 'loading\n{"tokens": 1}\nnot json {\n{"tokens": 5, "vocab": 2}\n'
    assert harness.parse_summary(out) == {"tokens": 5, "vocab": 2}
    with pytest.raises(ValueError, match="no JSON summary"):
        harness.parse_summary("progress only\n")


@pytest.mark.parametrize("config", list(bench.CONFIGS))
def test_both_commands_parse_to_the_same_settings(config, tmp_path):
    from w2v_core.cli import build_parser

    model, loss = bench.CONFIGS[config]
    ours = bench.train_command("ours", tmp_path / "c.txt", tmp_path / "o.bin", config, 2, 3, telemetry=False, seed=4)
    theirs = bench.train_command("gensim", tmp_path / "c.txt", tmp_path / "g.bin", config, 2, 3, seed=4)
    a = build_parser().parse_args(ours[ours.index("train"):])
    b = gensim_train.parse_args(theirs[2:])
    for name in ("model", "loss", "dim", "window", "negative", "min_count", "sample", "epochs", "workers", "alpha",
                 "min_alpha", "seed"):
        assert getattr(a, name) == getattr(b, name), name
    assert (a.model, a.loss, a.epochs, a.no_telemetry, a.seed) == (model, loss, 3, True, 4)
    assert a.per_pair_negatives == config.endswith("per-pair")
    assert b.alpha == (0.05 if model == "cbow" else 0.025)


def test_prepare_corpus_gives_whitespace_and_tokenizer_the_same_words(tmp_path):
    from w2v_core.corpus import tokenize

    source = tmp_path / "raw.txt"
    source.write_text('The Jury said , " Atlanta\'s well-known vote " .\n\n. ; \nFulton County !\n', encoding="utf-8")
    target = bench.prepare_corpus(source, tmp_path / "raw.lower.txt")
    lines = target.read_text(encoding="utf-8").splitlines()
    assert lines == ["the jury said atlanta's well-known vote", "fulton county"]
    assert all(line.split() == tokenize(line) for line in lines)


def test_run_measured_reports_each_child_its_own_peak_rss(tmp_path):
    big = [sys.executable, "-c", "import sys; b = bytearray(120 * 2**20); b[::4096] = b'x' * len(b[::4096]); "
           "print('big')"]
    small = [sys.executable, "-c", "print('small')"]
    first = harness.run_measured(big, tmp_path, "big")
    second = harness.run_measured(small, tmp_path, "small")
    assert (first.returncode, first.stdout.strip()) == (0, "big")
    assert first.peak_rss_mb > 120 > second.peak_rss_mb  # not a max over all children
    assert second.wall_seconds > 0 and second.cpu_seconds >= 0
    failed = harness.run_measured([sys.executable, "-c", "import sys; sys.exit(3)"], tmp_path, "failed")
    assert failed.returncode == 3
