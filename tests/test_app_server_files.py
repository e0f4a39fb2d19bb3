"""AppTest: corpora and vectors the server holds (corpora_dir, vectors_dir), and Spark models in the app.

Files are listed by name and picked from the list; a corpus is streamed (no upload cap), vectors of any size
open (large ones memory-mapped, their cache in vectors_cache_dir); a file that vanishes or cannot be read gets
one message and the rest of the list keeps working.
"""

import gzip
import io
import shutil
import zipfile
from pathlib import Path

import numpy as np
import pytest
import streamlit as st
from apptest_support import button, new_app, open_vectors, plotly_specs, stop_trainer, texts

from ui.limits import CONFIG_ENV
from w2v_core.embeddings import Embeddings
from w2v_core.formats import _cache as vector_cache
from w2v_core.formats import save_vectors
from w2v_core.teaching import generate_teaching_corpus

SPARK_MODEL = Path(__file__).resolve().parent / "data" / "spark_model"


@pytest.fixture
def server(tmp_path, monkeypatch):
    """A config whose folders hold two corpora and three vector sets (one broken), with a tiny upload cap."""
    corpora, vectors, cache = tmp_path / "corpora", tmp_path / "vectors", tmp_path / "cache"
    for folder in (corpora, vectors, cache):
        folder.mkdir()
    text = "\n".join(generate_teaching_corpus(2000, seed=0)) + "\n"
    (corpora / "teaching.txt").write_text(text)
    (corpora / "teaching-copy.txt.gz").write_bytes(gzip.compress(text.encode()))
    (corpora / "notes.md").write_text("not listed")
    rng = np.random.default_rng(0)
    words = ["king", "queen", "paris"] + [f"w{i}" for i in range(297)]
    save_vectors(Embeddings(words, rng.normal(size=(300, 8)).astype(np.float32), np.arange(300, 0, -1)),
                 vectors / "small.vec")
    (vectors / "broken.bin").write_bytes(b"100 8\nking " + bytes(12))
    shutil.copytree(SPARK_MODEL, vectors / "spark-model")
    config = tmp_path / "w2v_lab.toml"
    config.write_text(f'[limits]\nmax_corpus_mb = 0.01\ncorpora_dir = "{corpora}"\nvectors_dir = "{vectors}"\n'
                      f'vectors_cache_dir = "{cache}"\n')
    monkeypatch.setenv(CONFIG_ENV, str(config))
    st.cache_resource.clear()
    app = new_app()
    yield app, corpora, vectors, cache
    stop_trainer(app)
    st.cache_resource.clear()


def choose_server_corpus(at, name: str):
    at.switch_page("pages/corpus.py").run()
    at.radio(key="corpus_source").set_value("server").run()
    at.selectbox(key="server_corpus").set_value(name).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_server_corpora_are_listed_by_name_and_built_without_the_upload_cap(server):
    at, corpora, _, _ = server
    at.switch_page("pages/corpus.py").run()
    assert "A corpus on this server" in at.radio(key="corpus_source").options
    choose_server_corpus(at, "teaching.txt")
    options = at.selectbox(key="server_corpus").options
    assert [option.split(" (")[0] for option in options] == ["teaching-copy.txt.gz", "teaching.txt"], options
    assert not at.error, texts(at, "error")
    tokens = int(at.metric[0].value.replace(",", ""))
    assert tokens > 10_000 > 0.01 * 1e6 / 8, "bigger than the 0.01 MB upload cap"
    choose_server_corpus(at, "teaching-copy.txt.gz")
    assert not at.error and int(at.metric[0].value.replace(",", "")) == tokens
    at.switch_page("pages/train.py").run()
    shown = " ".join(texts(at, "markdown") + texts(at, "caption")).replace("\\", "")
    assert not at.error and "Server: teaching-copy.txt.gz" in shown, shown


def test_a_corpus_that_vanishes_or_is_not_text_gets_a_message_and_the_others_still_work(server):
    at, corpora, _, _ = server
    (corpora / "zz-binary.txt").write_bytes(b"\x00\x01\x02" * 1000)
    choose_server_corpus(at, "zz-binary.txt")
    assert "binary file" in texts(at, "error")[0]
    (corpora / "gone.txt").write_text("one two three\n")
    choose_server_corpus(at, "gone.txt")
    (corpora / "gone.txt").unlink()
    at.number_input(key="min_count").set_value(1).run()  # a new build of the same choice
    assert "gone.txt is no longer on this server" in texts(at, "warning")[0].replace("\\", "")
    names = [option.split(" (")[0] for option in at.selectbox(key="server_corpus").options]
    assert names == ["teaching-copy.txt.gz", "teaching.txt", "zz-binary.txt"] and not at.error
    choose_server_corpus(at, "teaching.txt")
    assert not at.error and not at.exception


def open_server_vectors(at, name: str, page: str = "neighbours"):
    at.switch_page(f"pages/{page}.py").run()
    at.selectbox(key=f"server_vectors_{page}").set_value(name).run()
    button(at, "Open these vectors").click().run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_server_vectors_open_whole_and_a_broken_one_is_explained(server):
    at, _, vectors, _ = server
    at.switch_page("pages/neighbours.py").run()
    at.number_input(key="vectors_max_words").set_value(100).run()
    options = at.selectbox(key="server_vectors_neighbours").options
    assert [option.split(" (")[0] for option in options] == ["broken.bin", "small.vec", "spark-model"], options
    open_server_vectors(at, "broken.bin")
    assert texts(at, "error")[0].startswith("Could not open broken.bin") and "truncated" in texts(at, "error")[0]
    open_server_vectors(at, "small.vec")
    assert not at.error and len(at.session_state["_vectors"].emb) == 300, "the upload cap of 100 words is ignored"
    at.selectbox(key="server_vectors_neighbours").set_value("spark-model").run()
    (vectors / "spark-model" / "data").rename(vectors / "gone")  # vanishes between the list and the click
    button(at, "Open these vectors").click().run()
    assert "no longer on this server" in texts(at, "error")[0] and at.session_state["_vectors"].name == "small.vec"
    (vectors / "gone").rename(vectors / "spark-model" / "data")
    open_server_vectors(at, "spark-model")
    assert not at.error and at.session_state["_vectors"].name == "spark-model"


def test_a_spark_model_says_its_first_words_are_not_the_most_frequent(server):
    at, _, _, _ = server
    open_server_vectors(at, "spark-model", page="projection")
    assert any("Spark's own order" in text for text in texts(at, "info"))
    assert "first words" in plotly_specs(at)[0]["layout"]["title"]["text"]


def test_large_server_vectors_are_memory_mapped_with_their_cache_outside_the_vectors_folder(server, monkeypatch):
    at, _, vectors, cache = server
    monkeypatch.setattr(vector_cache, "MAPPED_MIN_BYTES", 0)
    before = sorted(p.name for p in vectors.iterdir())
    open_server_vectors(at, "small.vec")
    emb = at.session_state["_vectors"].emb
    assert emb.blockwise and not at.error
    assert sorted(p.name for p in vectors.iterdir()) == before
    assert [p.name.endswith(".w2vcache") for p in cache.iterdir()] == [True]
    assert at.dataframe[0].value["word"].tolist()[0] in emb.words


def zipped(folder: Path, prefix: str) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as bundle:
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                bundle.write(path, prefix + path.relative_to(folder).as_posix())
    return out.getvalue()


@pytest.mark.parametrize(("prefix", "error"), [("spark-model/", None), ("../../", "outside its folder")])
def test_an_uploaded_zip_of_a_spark_model_opens_and_a_climbing_one_is_refused(server, prefix, error):
    at, _, _, _ = server
    open_vectors(at, "model.zip", zipped(SPARK_MODEL, prefix), mime="application/zip")
    if error is None:
        assert not at.error and len(at.session_state["_vectors"].emb) == 425
        assert any("Spark's own order" in text for text in texts(at, "info"))
    else:
        assert error in texts(at, "error")[0] and "_vectors" not in at.session_state
