"""Projection page: PCA or t-SNE of the most frequent words in 2-D or 3-D, with search and colouring."""

import numpy as np
import streamlit as st

from ui.charts import projection_figure
from ui.errors import user_errors
from ui.exports import figure_html, projection_csv
from ui.state import ModelView, remember_queries
from ui.text import md_literal
from ui.vectors import choose_view, order_words
from w2v_core.projection import cluster_labels, project
from w2v_core.teaching import group_of

METHODS = {"pca": "PCA (fast, linear)", "tsne": "t-SNE (slower, local clusters)"}
COLOURS = {"frequency": "Frequency", "cluster": "Cluster (k-means)", "group": "Word group (teaching corpus)"}
KEEP_PROJECTIONS = 6  # projections and clusterings cached per session


def options(view: ModelView) -> dict:
    """The projection settings widgets."""
    n_max = min(5000, len(view.emb.words))
    if st.session_state.get("projection_words", 0) > n_max:  # another, smaller set of vectors
        st.session_state["projection_words"] = n_max
    a, b, c, d = st.columns(4)
    n = a.number_input("Words", min(10, n_max), n_max, min(1000, n_max), 100, key="projection_words",
                       help=f"How many of the {order_words(view.emb)} words to project (up to 5,000).")
    method = b.radio("Method", list(METHODS), format_func=METHODS.get, key="projection_method",
                     persist_state="session", help="PCA keeps global directions; t-SNE keeps local neighbourhoods.")
    dims = c.radio("Dimensions", [2, 3], key="projection_dims", persist_state="session", horizontal=True,
                   help="3-D can be rotated with the mouse.")
    teaching = sum(group_of(w) is not None for w in view.emb.words[:200]) >= 20
    colours = list(COLOURS) if teaching else list(COLOURS)[:2]
    colour = d.radio("Colour by", colours, 2 if teaching else 0, format_func=COLOURS.get, key="projection_colour",
                     help="Frequency (log count), k-means clusters of the vectors, or the teaching corpus groups.")
    return {"n": int(n), "method": method, "dims": int(dims), "colour": colour}


def cached(key: tuple, label: str, make):  # noqa: ANN001, ANN201 - any computation
    """``make()`` once per key in this session (projections and clusterings of thousands of words are slow)."""
    cache: dict = st.session_state.setdefault("_projections", {})
    if key not in cache:
        with st.spinner(label):
            cache[key] = make()
        while len(cache) > KEEP_PROJECTIONS:
            cache.pop(next(iter(cache)))
    return cache[key]


def compute(view: ModelView, n: int, method: str, dims: int) -> np.ndarray:
    """(n, dims) coordinates of the n most frequent words."""
    label = "Running t-SNE (a minute for thousands of words)…" if method == "tsne" else "Projecting…"
    return cached((view.key, n, method, dims), label,
                  lambda: project(view.emb.vectors[:n], method=method, dims=dims, seed=0))


def colouring(view: ModelView, n: int, colour: str) -> tuple[np.ndarray, str, list[str] | None]:
    """Colour values (n,), their title, and the category names when the values are category indices."""
    words = view.emb.words[:n]
    if colour == "cluster":
        k = st.slider("Clusters", 2, 30, 10, key="projection_clusters", persist_state="session",
                      help="Number of k-means clusters.")
        labels = cached((view.key, n, "kmeans", k), "Clustering…", lambda: cluster_labels(view.emb.vectors[:n], k))
        return labels, "cluster", [f"cluster {i + 1}" for i in range(k)]
    if colour == "group":
        groups = [group_of(w) or "other" for w in words]
        names = sorted(set(groups) - {"other"}) + ["other"]
        return np.array([names.index(g) for g in groups]), "group", names
    counts = view.emb.counts
    if counts is None:  # files without counts: the rank stands in for frequency
        return -np.log10(np.arange(1, n + 1)), "−log10 rank", None
    return np.log10(np.maximum(counts[:n], 1)), "log10 count", None


def search(view: ModelView, n: int) -> tuple[int | None, list[int]]:
    """The searched word and its nearest neighbours among the projected words."""
    remember_queries("projection", view.emb.words, ("projection_query",))
    left, right = st.columns([3, 1])
    query = left.text_input("Highlight a word and its neighbours", key="projection_query", persist_state="session",
                            placeholder="e.g. king", help="The word is marked and its nearest neighbours "
                                                          "(cosine, among the projected words) labelled.").strip()
    k = right.number_input("Neighbours", 1, 50, 10, key="projection_k", persist_state="session",
                           help="How many neighbours to label.")
    if not query:
        return None, []
    emb = view.emb
    if query not in emb:
        with user_errors("Search"):
            emb.index(query)  # raises UnknownWordError with a suggestion
        return None, []
    row = emb.index(query)
    if row >= n:
        st.warning(f"{md_literal(query)} is word number {row + 1:,}: project more words to see it.")
        return None, []
    neighbours = emb.most_similar(query, k=int(k), restrict=n)
    st.caption("Neighbours: " + md_literal(", ".join(f"{w} ({s:.2f})" for w, s in neighbours)))
    return row, [emb.index(w) for w, _ in neighbours]


def show(view: ModelView) -> None:
    settings = options(view)
    n = settings["n"]
    coords = compute(view, n, settings["method"], settings["dims"])
    colour, colour_title, categories = colouring(view, n, settings["colour"])
    query, neighbours = search(view, n)
    words = view.emb.words[:n]
    title = f"{METHODS[settings['method']].split(' ')[0]} of the {n:,} {order_words(view.emb)} words"
    figure = projection_figure(coords, words, colour, colour_title, categories, neighbours, query, title)
    st.plotly_chart(figure, key="projection_chart")
    counts = None if view.emb.counts is None else view.emb.counts[:n]
    clusters = colour if settings["colour"] == "cluster" else None
    a, b = st.columns(2)
    a.download_button("Coordinates (CSV)", projection_csv(words, coords, counts, clusters),
                      file_name="projection.csv", mime="text/csv", on_click="ignore",
                      help="word, x, y (and z), count, cluster")
    b.download_button("Chart (HTML)", lambda: figure_html(figure), file_name="projection.html", mime="text/html",
                      on_click="ignore", help="An interactive copy of this chart; the camera icon saves a PNG.")


st.title("Projection")
st.write("Word vectors squeezed to 2 or 3 dimensions: words used in similar contexts land close together.")
with user_errors("The Projection page failed"):
    current = choose_view("projection")
    if current is not None:
        show(current)
