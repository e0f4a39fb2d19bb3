"""Which vectors the Projection and Neighbours pages explore: the trained model (a live snapshot while
training) or vectors opened from a file trained elsewhere. Also the vector downloads."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import streamlit as st

from ui import server_files
from ui.current_run import get_trainer
from ui.errors import message_of, safe_callback
from ui.limits import limits
from ui.model_views import ModelView, has_output_vectors, opened_view, set_opened_vectors, trained_view
from ui.text import md_literal, md_message
from w2v_core.embeddings import Embeddings
from w2v_core.formats import projector_zip_bytes, vectors_from_bytes, vectors_to_bytes

# gensim's .model/.kv are accepted by the uploader only to be refused with the line of gensim that converts them
VECTOR_FILE_TYPES = ["txt", "vec", "bin", "npz", "gz", "zip", "model", "kv"]
SOURCES = {"trained": "Trained in this app", "opened": "Opened from a file"}
DOWNLOADS = (  # label, format, file name, mime, help
    ("word2vec text", "text", "vectors.txt", "text/plain", "word2vec text format: gensim, fastText, the C tool."),
    ("word2vec binary", "binary", "vectors.bin", "application/octet-stream", "word2vec binary format (C tool)."),
    ("NumPy .npz", "npz", "vectors.npz", "application/octet-stream", "words, vectors and counts as arrays."),
)


@st.cache_resource(max_entries=3, show_spinner="Opening the vectors on the server…")
def _server_vectors(name: str, stamp: str) -> Embeddings:
    """Vectors of the server's ``vectors_dir``, opened once for all sessions (read-only; ``stamp``: size and
    modification time, so that a replaced file is opened again)."""
    allowed = limits()
    return server_files.open_server_vectors(server_files.find(allowed.vectors_dir, "vectors", name),
                                            allowed.vectors_cache_dir)


def server_vectors(name: str) -> Embeddings:
    """The vectors called ``name`` in the server's ``vectors_dir`` (``ServerFileError`` when gone)."""
    entry = server_files.find(limits().vectors_dir, "vectors", name)
    return _server_vectors(entry.name, entry.stamp)


def _open(name: str, load: Callable[[], Embeddings], too_large: str) -> None:
    """Explore the vectors ``load()`` returns, or keep one message naming file ``name`` for the page."""
    try:
        emb = load()
    except (ValueError, KeyError) as error:
        st.session_state["_vectors_error"] = md_message(f"Could not open {name}: {message_of(error)}")
        return
    except MemoryError:
        st.session_state["_vectors_error"] = md_message(f"{name} {too_large}")
        return
    set_opened_vectors(emb, name)


@safe_callback("_vectors_error", "Could not open the file")
def _open_uploaded(key: str) -> None:
    """Callback of the vector-file uploader: read the file (most frequent words first) and explore it."""
    upload = st.session_state.get(key)
    if upload is None:
        return
    limit = int(st.session_state.get("vectors_max_words", 50_000))
    _open(upload.name, lambda: vectors_from_bytes(upload.getvalue(), upload.name, limit=limit),
          "is too large to open: load fewer words.")


@safe_callback("_vectors_error", "Could not open the vectors")
def _open_server_file(key: str) -> None:
    """Callback of "Open": the chosen vectors of the server's folder, all words (shared by every session)."""
    name = str(st.session_state.get(key, ""))
    _open(name, lambda: server_vectors(name), "is too large for this server's memory.")


def open_vectors_section(page: str, expanded: bool) -> None:
    """Uploader for vectors trained elsewhere, with the number of words to load, and the server's vectors."""
    with st.expander("Open vectors trained elsewhere", expanded=expanded):
        left, right = st.columns([1, 2])
        left.number_input("Words to load", 100, 5_000_000, 50_000, 10_000, key="vectors_max_words",
                          persist_state="session",
                          help="Load only the first words of an uploaded file (the most frequent ones, except in "
                               "Spark models, which keep their own order); large files stay fast.")
        key = f"vector_file_{page}"
        right.file_uploader("Vector file", type=VECTOR_FILE_TYPES, key=key, on_change=_open_uploaded,
                            args=(key,), help="word2vec text or binary (gensim, the C tool), fastText .vec, GloVe "
                                              "text, .npz, a projector .zip, or a Spark Word2VecModel folder "
                                              "(model.save) zipped; text and binary may be gzipped.")
        offered = server_files.listing(limits().vectors_dir, "vectors")
        if offered:
            labels = {entry.name: entry.label for entry in offered}
            choice, action = st.columns([3, 1], vertical_alignment="bottom")
            choice.selectbox("Or vectors on this server", list(labels), format_func=labels.get,
                             key=f"server_vectors_{page}",
                             help="Prepared on this server for everyone, opened whole whatever their size (large "
                                  "word2vec files are read from disk as needed).")
            action.button("Open these vectors", key=f"open_server_vectors_{page}", on_click=_open_server_file,
                          args=(f"server_vectors_{page}",))
        error = st.session_state.pop("_vectors_error", None)
        if error:
            st.error(error)


def choose_view(page: str) -> ModelView | None:
    """Let the user pick the vectors to explore; returns them, or None after showing what to do."""
    trainer = get_trainer()
    trained = trainer is not None and trainer.progress().words_done > 0
    opened = opened_view()
    open_vectors_section(page, expanded=not trained and opened is None)
    available = [name for name, ok in (("trained", trained), ("opened", opened is not None)) if ok]
    if not available:
        st.info("No vectors yet. Train a model on the Train page (press **Start training**), or open vectors "
                "trained elsewhere above.")
        st.page_link("pages/train.py", label="Go to Train")
        return None
    source = available[0]
    slots = iter(st.columns([2, 2, 1]))
    if len(available) == 2:
        source = next(slots).radio("Vectors to explore", available, format_func=SOURCES.get, key="model_source",
                                   persist_state="session", horizontal=True,
                                   help="The model trained here, or the vectors opened from a file.")
    if source == "opened":
        view = opened_view()
    else:
        kind = "input"
        if has_output_vectors(trainer):
            kind = next(slots).radio("Which vectors", ["input", "output"], key="vector_kind",
                                     persist_state="session", horizontal=True,
                                     help="Input vectors are the usual word vectors; output vectors are the "
                                          "context side of the model.")
        refresh = False
        if trainer.is_active:
            refresh = next(slots).button("Take a new snapshot", key=f"snapshot_{page}",
                                         help="Copy the current weights of the running training.")
        view = trained_view(kind, refresh)
    if view is None:
        return None
    if view.live:
        st.info(f"Training is running: this is a live snapshot of {md_literal(view.label)}. Press **Take a new "
                "snapshot** for a newer one.")
    else:
        st.caption(f"Exploring: {md_literal(view.label)}")
    if in_own_order(view.emb):
        st.info("This Spark model keeps no word counts and lists its words in Spark's own order, so \"the most "
                "frequent words\" are here simply its first words.")
    return view


BARELY_TRAINED_COSINE = 0.5  # mean cosine between frequent words above which the vectors have not separated yet
# (teaching corpus, 3,000 sentences, 1 epoch: 0.99, every neighbour ≈ 0.99; 100,000 sentences: 0.31; 5 epochs: 0.23)


def mean_cosine(emb: Embeddings, n: int = 300) -> float:
    """Mean cosine similarity between distinct pairs of the ``n`` first (most frequent) words: near 1 when all
    vectors still point the same way, as early in training; well trained vectors give 0.0-0.35."""
    unit = emb.unit_head(n).astype(np.float64)
    if len(unit) < 2:
        return 0.0
    total = unit.sum(axis=0)
    return float((total @ total - len(unit)) / (len(unit) * (len(unit) - 1)))


def barely_trained_note(emb: Embeddings) -> str | None:
    """A warning to show next to neighbours and analogies when ``emb`` is barely trained, else None."""
    similarity = mean_cosine(emb)
    if similarity < BARELY_TRAINED_COSINE:
        return None
    return (f"These vectors are barely trained: frequent words point in almost the same direction (mean cosine "
            f"{similarity:.2f} between them), so every neighbour scores close to 1 and analogies answer almost at "
            "random. Train for more epochs or on more text (on the Corpus page: more sentences of the teaching "
            "corpus, or a larger file), then ask again.")


def in_own_order(emb: Embeddings) -> bool:
    """True for vectors whose order says nothing of frequency (a Spark model as Spark saved it)."""
    return emb.counts is None and emb.config.get("engine") == "spark"


def order_words(emb: Embeddings) -> str:
    """How to name the first words of ``emb``: "most frequent", or "first" for a Spark model's own order."""
    return "first" if in_own_order(emb) else "most frequent"


def vector_downloads(emb: Embeddings, key: str) -> None:
    """Download buttons for the vectors in every export format (files are built when clicked)."""
    if emb.blockwise:  # gigabytes, built in the server's memory for one click: the command line does it better
        st.caption(f"These {len(emb):,} vectors are too large to download from the browser; convert them on the "
                   "server with `w2v convert` instead.")
        return
    columns = st.columns(len(DOWNLOADS) + 1)
    for column, (label, fmt, name, mime, help_text) in zip(columns, DOWNLOADS, strict=False):
        column.download_button(label, lambda fmt=fmt: vectors_to_bytes(emb, fmt), file_name=name, mime=mime,
                               key=f"{key}_{fmt}", on_click="ignore", help=help_text)
    columns[-1].download_button("Projector TSV (zip)", lambda: projector_zip_bytes(emb), file_name="projector.zip",
                                mime="application/zip", key=f"{key}_projector", on_click="ignore",
                                help="vectors.tsv and metadata.tsv for projector.tensorflow.org.")
