"""Corpus page: choose or upload the text and see what training will see."""

import math

import pandas as pd
import streamlit as st

from ui import server_files
from ui.charts import keep_probability_figure, zipf_figure
from ui.corpus_source import SOURCES, LoadedCorpus, encodings_in_use, min_count_table, upload_problem
from ui.corpus_state import current_corpus
from ui.errors import message_of, user_errors
from ui.limits import limits
from ui.option_inputs import option_input
from ui.settings import DEFAULTS, set_setting, setting
from ui.text import md_literal, md_message
from ui.uploads import (
    is_new_upload,
    read_uploads_as_latin1,
    refused_uploads,
    set_uploads,
    upload_encoding,
    uploads,
)
from w2v_core.corpus import MAX_SENTENCE_TOKENS, CorpusEncodingError


def choose_source() -> None:
    """Widgets that pick the corpus and its vocabulary settings."""
    offered = server_files.listing(limits().corpora_dir, "corpora")
    sources = [name for name in SOURCES if name != "server" or offered]
    if setting("corpus_source") not in sources:  # the server's folder emptied since this session chose from it
        set_setting("corpus_source", DEFAULTS["corpus_source"])
    left, right = st.columns([3, 2])
    with left:
        source = st.radio("Text to train on", sources, format_func=SOURCES.get, key="corpus_source",
                          index=sources.index(DEFAULTS["corpus_source"]), persist_state="session",
                          help="The generated teaching corpus has known word groups (days, numbers, colours, "
                               "countries and capitals, royalty), so clusters and analogies appear in seconds.")
        if source == "teaching":
            option_input(st, "teaching_sentences", prefix="", step=1000)
        elif source == "sample":
            st.caption("The King James Bible (public domain), one verse a line: about 790,000 tokens.")
        elif source == "server":
            server_corpus_widget(offered)
        else:
            upload_widget()
    with right:
        option_input(st, "min_count", prefix="")
        option_input(st, "max_vocab", prefix="", step=1000)
        option_input(st, "lowercase", prefix="")
        tokenizing_options()
        st.caption("Changes apply to the next training run; a running one keeps its corpus.")


def server_corpus_widget(offered: list[server_files.ServerFile]) -> None:
    """Pick one of the corpora the server holds (by name: nothing typed here becomes a path)."""
    names = [entry.name for entry in offered]
    chosen = setting("server_corpus")
    if chosen not in names:
        if chosen:
            st.warning(f"{md_literal(chosen)} is no longer on this server (moved or deleted): choose another.")
        set_setting("server_corpus", names[0])
    labels = {entry.name: entry.label for entry in offered}
    st.selectbox("Corpus on this server", names, format_func=labels.get, key="server_corpus",
                 persist_state="session", help="Text prepared on this server for everyone: read from the server's "
                                               "disk and built once for all sessions; no upload limit applies.")


def tokenizing_options() -> None:
    """How the text is split into tokens, and phrases."""
    with st.expander("Tokenizing and phrases"):
        for name in ("whitespace", "nfkc", "cjk", "phrases"):
            option_input(st, name, prefix="")
        if setting("phrases"):
            left, right = st.columns(2)
            option_input(left, "phrase_threshold", prefix="", step=10.0)
            option_input(right, "phrase_min_count", prefix="")


def upload_widget() -> None:
    """File uploader; the files are copied into the session (an uploader's value vanishes on page switch)."""
    allowed = limits()
    files = st.file_uploader("Text files (.txt or .gz, one sentence per line)", type=["txt", "gz"],
                             accept_multiple_files=True, key="corpus_files", max_upload_size=file_limit_mb(),
                             help=f"UTF-8 text (or UTF-16/32 with a byte-order mark); several files are joined in "
                                  f"the order given. Up to {allowed.max_upload_files} files and "
                                  f"{allowed.max_corpus_mb:g} MB of text per session, all files together.")
    st.caption(f"This server takes up to {allowed.max_corpus_mb:g} MB of text per session (all files together, "
               f"unpacked) in at most {allowed.max_upload_files} files.")
    if files:
        signature = [(f.file_id, f.name, f.size) for f in files]
        if is_new_upload(signature):
            problem = upload_problem([(f.name, f.size) for f in files], allowed.max_upload_files,
                                     allowed.max_corpus_bytes)  # checked before copying anything
            set_uploads([] if problem else [(f.name, f.getvalue()) for f in files], problem)
    elif refused_uploads():  # the refused files were removed
        set_uploads([])
    kept = uploads()
    if kept and not files:
        names = ", ".join(name for name, _ in kept)
        st.caption(f"Using the files uploaded earlier: {md_literal(names)}")
    if kept:
        st.button("Forget the uploaded files", on_click=set_uploads, args=([],),
                  help="Remove the uploaded text from this session.")


def file_limit_mb() -> int:
    """The uploader's size limit per file: the session's text limit (``max_corpus_mb`` in w2v_lab.toml), never
    above Streamlit's ``server.maxUploadSize`` (.streamlit/config.toml), so the uploader shows the real limit."""
    return max(1, min(math.ceil(limits().max_corpus_mb), int(st.get_option("server.maxUploadSize"))))


def load() -> LoadedCorpus | None:
    """Build the chosen corpus, or show why it cannot be used."""
    problem = refused_uploads()
    if setting("corpus_source") == "upload" and problem:
        st.error(f"Could not use these files: {md_message(problem)}")
        return None
    if setting("corpus_source") == "upload" and not uploads():
        st.info(f"Upload one or more text files above to train on your own text. A file marked in red was not "
                f"uploaded: hover over it to see why (a file over {file_limit_mb()} MB is too large for this "
                "server).")
        return None
    try:
        loaded = current_corpus()
    except CorpusEncodingError as error:
        st.error(f"Could not read the text: {md_message(str(error))}")
        st.button("Read the files as latin-1", on_click=read_uploads_as_latin1,
                  help="Every byte becomes one character; right for Western European text in old encodings.")
    except (ValueError, KeyError) as error:
        st.error(f"Could not use this corpus: {md_message(message_of(error))}")
    else:
        if setting("corpus_source") == "upload":
            encoding = upload_encoding()
            used = encodings_in_use(uploads(), encoding)
            latin = " (chosen because the files are not valid UTF-8)" if encoding == "latin-1" else ""
            st.caption(f"Read as {md_message(used)}{latin}.")
        return loaded
    return None


def show_statistics(loaded: LoadedCorpus) -> None:
    """Tokens, vocabulary, Zipf plot, what min_count removes, subsampling and a preview."""
    corpus, vocab = loaded.corpus, loaded.corpus.vocab
    columns = st.columns(5)
    columns[0].metric("Tokens in the text", f"{vocab.total_tokens:,}", help="All words, before min_count.")
    columns[1].metric("Tokens kept", f"{corpus.n_tokens:,}", f"{vocab.share_kept:.1%} of the text",
                      delta_color="off", delta_arrow="off",
                      help="Tokens of words in the vocabulary: what training reads each epoch.")
    columns[2].metric("Distinct words", f"{vocab.total_types:,}", help="Every different word in the text.")
    columns[3].metric("Vocabulary", f"{len(vocab):,}", help="Words that get a vector (count >= min_count).")
    columns[4].metric("Sentences", f"{corpus.n_sentences:,}",
                      help=f"Lines with at least one kept word. A line longer than {MAX_SENTENCE_TOKENS:,} tokens "
                           f"is split into pieces of {MAX_SENTENCE_TOKENS:,} tokens, each a sentence.")
    if vocab.total_tokens > corpus.n_sentences * MAX_SENTENCE_TOKENS / 2:  # mostly very long lines
        st.caption(f"The text has very long lines: each line is split into pieces of {MAX_SENTENCE_TOKENS:,} "
                   f"tokens, and each piece counts as a sentence ({corpus.n_sentences:,} here). Context windows "
                   "never reach across a sentence's end.")
    st.plotly_chart(zipf_figure(loaded.all_words, loaded.all_counts, vocab.min_count), key="zipf")

    left, right = st.columns(2)
    with left:
        st.subheader("What min_count removes")
        removed = loaded.all_counts < vocab.min_count
        st.write(f"min_count = {vocab.min_count} removes {int(removed.sum()):,} of {vocab.total_types:,} "
                 f"distinct words, {1 - vocab.share_kept:.1%} of the tokens.")
        st.dataframe(pd.DataFrame(min_count_table(loaded.all_counts)), hide_index=True,
                     column_config={"min_count": st.column_config.NumberColumn(format="localized"),
                                    "words kept": st.column_config.NumberColumn(format="localized")})
        examples = [w for w, removed_word in zip(loaded.all_words, removed, strict=True) if removed_word][:30]
        if examples:
            st.caption("Most frequent removed words: " + md_literal(", ".join(examples)))
    with right:
        st.subheader("Subsampling of frequent words")
        sample = float(setting("cfg_sample"))
        keep = vocab.keep_probabilities(sample)
        share = float((keep * vocab.counts).sum() / max(vocab.kept_tokens, 1))
        st.write(f"With sample = {sample:g} (set on the Train page), training keeps {share:.1%} of the tokens "
                 "per epoch on average; frequent words are skipped more often.")
        st.plotly_chart(keep_probability_figure(vocab.words, keep), key="keep_probability")

    if corpus.phrases:
        show_phrases(corpus.phrases)
    elif loaded.settings.phrases is not None:
        st.info("No phrases found: no pair of words scores above the threshold. Lower the phrase threshold or "
                "the phrase min count to find some.")

    st.subheader("Preview of the tokenized text")
    rows = [{"line": i + 1, "tokens": " · ".join(tokens),
             "dropped by min_count": " ".join(t for t in tokens if t not in vocab.index)}
            for i, tokens in enumerate(corpus.preview)]
    st.dataframe(pd.DataFrame(rows), hide_index=True)
    st.caption(f"Built in {loaded.seconds:.1f} s. Next: train on it on the Train page.")
    st.page_link("pages/train.py", label="Go to Train")


def show_phrases(phrases: list) -> None:
    """The phrases found, best scores and most frequent side by side."""
    st.subheader(f"Phrases found: {len(phrases):,}")
    table = pd.DataFrame([{"phrase": p.text, "count": p.count, "score": round(p.score, 1)} for p in phrases])
    left, right = st.columns(2)
    left.caption("Best scores")
    left.dataframe(table.head(30), hide_index=True)
    right.caption("Most frequent")
    right.dataframe(table.sort_values("count", ascending=False, kind="stable").head(30), hide_index=True)


st.title("Corpus")
st.write("Choose the text word2vec learns from and see what training will see.")
with user_errors("The corpus page failed"):
    choose_source()
    corpus = load()
    if corpus is not None:
        show_statistics(corpus)
st.divider()
st.markdown("**Have word vectors trained elsewhere?** Open them (word2vec text or binary, fastText .vec, "
            ".npz, a Spark Word2VecModel) on the Neighbours or Projection page to explore them without training.")
st.page_link("pages/neighbours.py", label="Open vectors on the Neighbours page")
