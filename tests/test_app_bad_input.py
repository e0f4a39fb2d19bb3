"""AppTest: bad uploads, bad vector files, bad hyperparameters and a crashing trainer each give a clear message,
user text is shown literally, and the app goes on working afterwards."""

import gzip
import time

import numpy as np
import pytest
from apptest_support import APP, button, open_vectors, plotly_specs, texts, upload_corpus, wait_until_done
from streamlit.testing.v1 import AppTest

from ui.limits import CONFIG_ENV
from ui.training import training_status
from w2v_core.embeddings import Embeddings
from w2v_core.formats import vectors_to_bytes
from w2v_core.trainer import Trainer

MARKUP = ["<script>alert(1)</script>", "[x](javascript:alert(1))", "**bold**"]


@pytest.fixture
def small_limits(tmp_path, monkeypatch):
    """A limits file for a tiny server: 1 kB of text and two files per session, full softmax up to 100 words."""
    path = tmp_path / "class.toml"
    path.write_text("[limits]\nmax_corpus_mb = 0.001\nmax_upload_files = 2\nmax_softmax_vocab = 100\n")
    monkeypatch.setenv(CONFIG_ENV, str(path))


def only_error(at) -> str:
    errors = texts(at, "error")
    assert len(errors) == 1, errors
    return errors[0]


def vocabulary(at) -> int:
    return int(next(m.value for m in at.metric if m.label == "Vocabulary").replace(",", ""))


def test_uploads_over_the_session_limits_are_refused_before_reading(at, small_limits):
    upload_corpus(at, ("big.txt", b"word " * 400))
    assert "at most 0.001 MB of text per session" in only_error(at)
    assert at.session_state["_uploads"] == []  # nothing was copied into the session
    upload_corpus(at, ("a.txt", b"a b"), ("b.txt", b"c d"), ("c.txt", b"e f"))
    assert "3 files were uploaded, but this server takes at most 2 per session" in only_error(at)
    upload_corpus(at, ("bomb.txt.gz", gzip.compress(b"word " * 2000)))  # 60 bytes that unpack to 10 kB
    assert "bomb.txt.gz: the text is too large" in only_error(at)
    upload_corpus(at, ("fine.txt", b"the cat sat on the mat\n" * 20))
    assert not at.error and vocabulary(at) == 5
    help_text = at.file_uploader(key="corpus_files").help
    assert "Up to 2 files and 0.001 MB of text per session" in help_text


def test_the_default_limits_are_in_the_uploader_help(at):
    at.switch_page("pages/corpus.py").run()
    at.radio(key="corpus_source").set_value("upload").run()
    assert "Up to 20 files and 50 MB of text per session" in at.file_uploader(key="corpus_files").help


def test_one_100_mb_line_is_refused_at_once(at):
    data = b"word " * 20_000_000  # 100 MB, no newline
    started = time.perf_counter()
    upload_corpus(at, ("line.txt", data))
    assert "The upload is 100.0 MB, too large: this server takes at most 50 MB" in only_error(at)
    assert time.perf_counter() - started < 10
    upload_corpus(at, ("fine.txt", b"the cat sat on the mat\n" * 20))
    assert not at.error


def test_random_bytes_without_nul_are_called_binary(at):
    data = bytes(np.random.default_rng(1).integers(1, 256, 4000, dtype=np.uint8))
    upload_corpus(at, ("noise.txt", data))
    assert "looks like a binary file" in only_error(at)
    assert not any(b.label == "Read the files as latin-1" for b in at.button)


def small_train(at, **settings) -> None:
    at.switch_page("pages/train.py").run()
    for key, value in {"cfg_dim": 8, "cfg_epochs": 2, **settings}.items():
        at.session_state[key] = value
    at.run()
    button(at, "Start training").click().run()


def test_cjk_emoji_and_right_to_left_text_train_and_show(at):
    text = "東京 大阪 京都 🍕 🍣 שלום עולם مرحبا بالعالم\n".encode() * 30
    upload_corpus(at, ("world.txt", text))
    at.number_input(key="min_count").set_value(1).run()
    assert not at.error and vocabulary(at) == 11  # one token per Han character: 東 京 大 阪 都
    assert "東 · 京 · 大 · 阪 · 京 · 都 · 🍕" in at.dataframe[-1].value["tokens"][0]
    small_train(at)
    assert wait_until_done(at).state == "finished"
    at.switch_page("pages/neighbours.py").run()
    at.text_input(key="nn_word").set_value("🍕").run()
    assert not at.error and set(at.dataframe[0].value["word"]) <= {"東", "京", "大", "阪", "都", "🍣", "שלום", "עולם",
                                                                   "مرحبا", "بالعالم"}


def test_one_word_per_line_says_why_it_cannot_train(at):
    upload_corpus(at, ("words.txt", b"hello\nworld\nhello\n"))
    at.number_input(key="min_count").set_value(1).run()
    small_train(at)
    assert "no word has a neighbour to learn from" in only_error(at) and "trainer" not in at.session_state


def test_a_one_word_vocabulary_trains_with_a_warning(at):
    upload_corpus(at, ("hello.txt", b"hello hello hello\n" * 10))
    at.number_input(key="min_count").set_value(1).run()
    small_train(at, cfg_negative=1)
    assert any("single word ('hello')" in w for w in texts(at, "warning"))
    assert wait_until_done(at).state == "finished"


def test_zero_or_negative_sizes_cannot_be_entered_and_a_link_with_them_falls_back():
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params.update({"dim": "0", "window": "-3", "epochs": "0", "negative": "-1"})
    at.run()
    warnings = texts(at, "warning")
    for name, value in (("dim", "0"), ("window", "-3"), ("epochs", "0"), ("negative", "-1")):
        assert any(f"value '{value}' for '{name}'" in w for w in warnings), (name, warnings)
    for key in ("cfg_dim", "cfg_window", "cfg_epochs", "cfg_negative", "cfg_workers"):
        assert at.number_input(key=key).min == 1, key  # the widgets cannot go below 1
    assert at.number_input(key="cfg_dim").value == 100 and at.number_input(key="cfg_window").value == 5
    small_train(at, cfg_epochs=1)
    assert not at.error and wait_until_done(at).state == "finished"


def test_odd_but_possible_settings_train_with_warnings(at):
    upload_corpus(at, ("short.txt", b"a b c\nd e\n" * 20))
    at.number_input(key="min_count").set_value(1).run()
    small_train(at, cfg_window=20, cfg_negative=30)
    warnings = texts(at, "warning")
    assert any("wider than any sentence" in w for w in warnings)
    assert any("30 negatives for a vocabulary of 5 words" in w for w in warnings)
    assert wait_until_done(at).state == "finished"


def test_full_softmax_on_a_vocabulary_over_the_limit_is_refused(at, small_limits):
    small_train(at, cfg_loss="softmax")
    error = only_error(at)
    assert "with 425 words it is too slow for this server, which allows it up to 100 words" in error
    small_train(at, cfg_loss="hierarchical")
    assert not at.error and wait_until_done(at).state == "finished"


def test_a_crashing_trainer_thread_fails_its_run_and_the_session_goes_on(at, monkeypatch):
    def crash(self, *args, **kwargs):
        raise RuntimeError("simulated crash in a worker")

    with monkeypatch.context() as patch:
        patch.setattr(Trainer, "run_job", crash)
        small_train(at)
        trainer = wait_until_done(at)
    at.run()
    assert trainer.state == "failed"
    assert any("Training failed: RuntimeError: simulated crash in a worker" in e for e in texts(at, "error"))
    assert training_status(trainer) == "failed: see the Train page"  # the sidebar line stays short
    button(at, "Start training").click().run()
    assert wait_until_done(at).state == "finished" and not at.exception


@pytest.mark.parametrize(("data", "expected"), [
    (b"300\nthe 1 2\n", "Line 1 should be a header"),
    (b"2 3\nthe 1 2 3\nof 1 2 inf\n", "contains NaN or infinity"),
    (b"2 4\nthe 1 2 3\nof 1 2 3\n", "Line 2 has 3 values, but the header says 4"),
])
def test_more_bad_vector_files_are_explained(at, data, expected):
    open_vectors(at, "v.txt", data)
    assert only_error(at).startswith("Could not open v.txt") and expected in only_error(at)
    assert "_vectors" not in at.session_state


def test_markup_words_and_file_names_are_shown_literally(at):
    open_vectors(at, "[x](javascript:alert(1)).txt", b"2 3\n<b> 1 2 3\n")
    error = only_error(at)
    assert error.startswith(r"Could not open \[x\](javascript\:alert(1)).txt") and "<b>" not in error
    rng = np.random.default_rng(0)
    words = MARKUP + [f"w{i}" for i in range(40)]
    emb = Embeddings(words, rng.normal(size=(len(words), 4)).astype(np.float32), np.arange(len(words), 0, -1))
    open_vectors(at, "**markup**.txt", vectors_to_bytes(emb, "text"))
    assert not at.error
    assert r"Exploring: \*\*markup\*\*\.txt" in " ".join(texts(at, "caption"))  # md_literal
    at.text_input(key="nn_word").set_value(MARKUP[0])
    at.number_input(key="nn_k").set_value(len(words) - 1).run()
    assert not at.error and set(at.dataframe[0].value["word"]) == set(words[1:])  # the table holds them verbatim
    at.text_input(key="nn_word").set_value("<img src=x onerror=alert(1)>").run()
    assert r"\<img src=x onerror=alert(1)\>" in only_error(at)
    at.switch_page("pages/projection.py").run()
    hover = [str(h) for trace in plotly_specs(at)[0]["data"] for h in trace.get("hovertext", [])]
    assert {"&lt;script&gt;alert(1)&lt;/script&gt;", "**bold**", "[x](javascript:alert(1))"} <= set(hover)
    assert not any("<script>" in h for h in hover)
    for kind in ("markdown", "caption", "error", "warning", "info"):
        assert not any("<script>" in t or "](javascript" in t for t in texts(at, kind)), kind


def test_file_names_are_only_labels_never_paths(at):
    upload_corpus(at, ("../../../../etc/passwd.txt", b"hello world\n" * 5))
    at.number_input(key="min_count").set_value(1).run()
    assert not at.error and at.session_state["_uploaded_corpus"].corpus.vocab.words == ["hello", "world"]
    assert at.session_state["_uploaded_corpus"].name == "Uploaded: ../../../../etc/passwd.txt"
    open_vectors(at, "/etc/../etc/passwd.txt", b"2 2\nroot 1 2\nuser 3 4\n")
    assert not at.error and at.session_state["_vectors"].emb.words == ["root", "user"]
