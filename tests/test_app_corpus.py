"""AppTest: the app opens on the teaching corpus; the Corpus page builds uploads and explains bad ones."""

import codecs
import gzip

import pytest
from apptest_support import APP, TIMEOUT, button, n_points, plotly_specs, texts, upload_corpus
from streamlit.proto.Metric_pb2 import Metric as MetricProto
from streamlit.testing.v1 import AppTest


def test_app_opens_on_train_with_the_teaching_corpus(at):
    assert at.title[0].value == "Train"
    sidebar = [m.value for m in at.sidebar.markdown]  # AppTest shows the sidebar on the first run only
    assert "Teaching corpus" in sidebar[0] and "not started" in sidebar[1]
    assert [b.label for b in at.button][:4] == ["Start training", "Pause", "Resume", "Stop"]
    assert not at.error


def test_corpus_page_shows_statistics_of_the_default_corpus(at):
    at.switch_page("pages/corpus.py").run()
    assert not at.exception and not at.error
    metrics = {m.label: m.value for m in at.metric}
    assert int(metrics["Vocabulary"].replace(",", "")) > 100
    assert int(metrics["Sentences"].replace(",", "")) == 100_000
    zipf, keep = plotly_specs(at)
    assert n_points(zipf) > 100 and n_points(keep) == 30
    preview = at.dataframe[-1].value
    assert len(preview) == 20 and preview["tokens"].str.len().gt(0).all()


def test_sample_text_and_min_count_change_the_vocabulary(at):
    at.switch_page("pages/corpus.py").run()
    at.radio(key="corpus_source").set_value("sample").run()
    vocab_5 = int(next(m.value for m in at.metric if m.label == "Vocabulary").replace(",", ""))
    at.number_input(key="min_count").set_value(50).run()
    vocab_50 = int(next(m.value for m in at.metric if m.label == "Vocabulary").replace(",", ""))
    assert 0 < vocab_50 < vocab_5
    assert at.session_state["corpus_source"] == "sample"


def test_upload_of_a_small_text_file_becomes_the_corpus(at):
    text = b"the cat sat on the mat\nthe dog sat on the log\n" * 5
    upload_corpus(at, ("small.txt", text), ("more.txt.gz", gzip.compress(b"a cat and a dog\n" * 5)))
    assert not at.error
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Tokens in the text"] == "85" and metrics["Sentences"] == "15"
    assert at.session_state["_uploaded_corpus"].name == "Uploaded: small.txt, more.txt.gz"
    at.switch_page("pages/train.py").run()  # the uploader's value is gone, the corpus stays
    at.switch_page("pages/corpus.py").run()
    assert any("uploaded earlier" in c for c in texts(at, "caption"))
    assert {m.label: m.value for m in at.metric}["Sentences"] == "15"


@pytest.mark.parametrize(("data", "expected"), [
    (b"", "empty"),
    (b" \n\t \n", "empty"),
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary"),
    (bytes(range(256)) * 4, "binary"),
    (b"\x1f\x8b\x08\x00" + bytes(6) + b"garbage!!!", "damaged"),
])
def test_bad_uploads_explain_the_problem(at, data, expected):
    upload_corpus(at, ("bad.txt", data))
    errors = texts(at, "error")
    assert len(errors) == 1 and expected in errors[0] and "bad.txt" in errors[0], errors
    assert "_uploaded_corpus" not in at.session_state


def test_non_utf8_upload_offers_latin1(at):
    upload_corpus(at, ("old.txt", "le café est très bon\n".encode("latin-1") * 6))
    assert "not valid UTF-8" in texts(at, "error")[0]
    button(at, "Read the files as latin-1").click().run()
    assert not at.error
    assert "café" in at.dataframe[-1].value["tokens"][0]


def test_min_count_that_removes_everything_says_what_works(at):
    upload_corpus(at, ("tiny.txt", b"one two two three three three\n"))
    at.number_input(key="min_count").set_value(10).run()
    assert "Set min_count to 3 or less" in texts(at, "error")[0]


def test_markup_tokens_are_shown_literally(at):
    upload_corpus(at, ("markup.txt", b"<script>alert(1)</script> **bold** [x](javascript:alert(1))\n" * 6))
    at.number_input(key="min_count").set_value(1).run()
    assert not at.error
    tokens = at.dataframe[-1].value["tokens"][0]
    assert "script" in tokens and "javascript" in tokens
    assert all("<script>" not in m for m in texts(at, "markdown"))


def sidebar_after_first_run(**state) -> list[str]:
    """The sidebar's lines of a new session whose state starts with ``state`` (AppTest shows the sidebar on the
    first run only)."""
    app = AppTest.from_file(APP, default_timeout=TIMEOUT)
    for key, value in state.items():
        app.session_state[key] = value
    app.run()
    assert not app.exception
    return [m.value for m in app.sidebar.markdown]


def test_the_sidebar_says_briefly_what_the_corpus_is():
    nothing = sidebar_after_first_run(corpus_source="upload")
    assert nothing[0] == "**Corpus:** none yet: upload text files on the Corpus page"
    problem = "The upload is 80.0 MB, too large: this server takes at most 50 MB of text per session."
    refused = sidebar_after_first_run(corpus_source="upload", _uploads=[], _upload_problem=problem)
    assert refused[0] == "**Corpus:** the upload was refused: see the Corpus page"
    one = sidebar_after_first_run(corpus_source="upload", _uploads=[("one.txt", b"hello hello hello hello hello\n")])
    assert one[0].endswith("· 1 word, 5 tokens")
    broken = sidebar_after_first_run(corpus_source="upload", _uploads=[("bad.txt", b"\x00\x01binary")])
    assert broken[0] == "**Corpus:** cannot be used: see the Corpus page"  # the message itself is on that page


@pytest.mark.parametrize("encoding", ["utf-16", "utf-32", "utf-16-be"])
def test_utf16_and_utf32_with_a_byte_order_mark_are_read(at, encoding):
    text = "le café est très bon\nun thé très chaud\n" * 6
    data = text.encode(encoding) if encoding != "utf-16-be" else codecs.BOM_UTF16_BE + text.encode(encoding)
    upload_corpus(at, ("wide.txt", data))
    assert not at.error and "café" in at.dataframe[-1].value["tokens"][0]
    name = "UTF-32" if "32" in encoding else "UTF-16"
    assert f"Read as {name}." in texts(at, "caption")


def test_the_encoding_in_use_is_shown_after_choosing_latin1(at):
    upload_corpus(at, ("old.txt", "le café est très bon\n".encode("latin-1") * 6))
    button(at, "Read the files as latin-1").click().run()
    assert "Read as latin-1 (chosen because the files are not valid UTF-8)." in texts(at, "caption")


def test_uploader_shows_the_real_limit_and_metrics_read_plainly(at):
    upload_corpus(at, ("one line.txt", b" ".join([b"alpha beta gamma delta"] * 6_000)))  # one line of 24,000 tokens
    assert at.file_uploader(key="corpus_files").proto.max_upload_size_mb == 50  # not Streamlit's 200 per file
    assert any("50 MB of text per session" in c for c in texts(at, "caption"))
    metrics = {m.label: m for m in at.metric}
    assert metrics["Sentences"].value == "3" and "pieces of 10,000 tokens" in metrics["Sentences"].help
    assert any("split into pieces of 10,000 tokens" in c for c in texts(at, "caption"))
    kept = metrics["Tokens kept"].proto
    assert kept.delta == "100.0% of the text" and kept.direction == MetricProto.MetricDirection.NONE  # no arrow
