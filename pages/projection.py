"""Projection page: PCA, t-SNE, UMAP or semantic axes of the most frequent words, labelled, with search and
click-to-highlight; t-SNE and UMAP are drawn as they converge, with Stop."""

from functools import partial

import numpy as np
import streamlit as st

from ui.charts import plot_text
from ui.errors import user_errors
from ui.exports import figure_html, projection_csv
from ui.model_views import ModelView
from ui.projection_chart import projection_figure
from ui.projection_view import KeptMap, cached, keep, kept_maps, progress_text, session_layout, start_layout
from ui.queries import remember_queries
from ui.text import md_literal
from ui.training import touch_session
from ui.vectors import choose_view, order_words
from w2v_core.embeddings import unit_rows
from w2v_core.layout_job import LayoutState
from w2v_core.projection import (
    ProjectionError,
    SemanticAxis,
    axes_cosine,
    axis_basis,
    cluster_labels,
    parse_words,
    project,
    semantic_coordinates,
)
from w2v_core.teaching import group_of

METHODS = {"pca": "PCA", "tsne": "t-SNE", "umap": "UMAP", "axes": "Semantic axes"}
METHOD_HELP = ("PCA keeps global directions (instant). t-SNE and UMAP keep local neighbourhoods: they are drawn "
               "as they converge, with a Stop button. Semantic axes place words on directions you name, e.g. "
               "man → woman.")
COLOURS = {"frequency": "Frequency", "cluster": "Cluster (k-means)", "group": "Word group (teaching corpus)"}
MAX_WORDS = 20_000
DEFAULT_WORDS = 2_000
POLL_SECONDS = 1.0  # a converging t-SNE/UMAP map is redrawn this often
AXIS_DEFAULTS = ((("man",), ("woman",)), (("poor",), ("rich",)), (("walk", "run", "eat"), ("walked", "ran", "ate")))
AXIS_KEYS = ("axis_x_from", "axis_x_to", "axis_y_from", "axis_y_to")
QUERY_KEYS = ("projection_query", "projection_words", *AXIS_KEYS)
# The live map stays fully drawn while its fragment reruns (Streamlit dims elements being recomputed).
LIVE_STYLE = """<style>.st-key-projection_chart, .st-key-projection_chart [data-testid="stFullScreenFrame"]
{opacity: 1 !important; transition: none !important;}</style>"""


def options(view: ModelView) -> dict:
    """The projection settings widgets (the word count follows the vectors being explored)."""
    total = len(view.emb.words)
    n_max = min(MAX_WORDS, total)
    if st.session_state.get("projection_words", 0) > n_max:
        st.session_state["projection_words"] = n_max
    a, b, c, d = st.columns([1.1, 2.2, 1, 1.7])
    n = a.number_input("Words", min(10, n_max), n_max, min(DEFAULT_WORDS, n_max), 500, key="projection_words",
                       help=f"How many of the {order_words(view.emb)} words to project (these vectors have {total:,}; "
                            f"up to {MAX_WORDS:,}).")
    method = b.radio("Method", list(METHODS), format_func=METHODS.get, key="projection_method",
                     persist_state="session", horizontal=True, help=METHOD_HELP)
    dims = c.radio("Dimensions", [2, 3], key="projection_dims", persist_state="session", horizontal=True,
                   disabled=method == "axes", help="3-D can be rotated with the mouse (semantic axes are 2-D).")
    teaching = sum(group_of(w) is not None for w in view.emb.words[:200]) >= 20
    colours = list(COLOURS) if teaching else list(COLOURS)[:2]
    colour = d.radio("Colour by", colours, 2 if teaching else 0, format_func=COLOURS.get, key="projection_colour",
                     help="Frequency (log count), k-means clusters of the vectors, or the teaching corpus groups.")
    return {"n": int(n), "method": method, "dims": 2 if method == "axes" else int(dims), "colour": colour}


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


def _select_point(words: list[str]) -> None:
    """Callback of a click on the chart: the clicked word becomes the highlighted one."""
    state = st.session_state.get("projection_chart")
    points = state.selection.points if state is not None else []
    rows = [p.get("customdata") for p in points if isinstance(p.get("customdata"), int | float)]
    if rows and 0 <= int(rows[0]) < len(words):
        st.session_state["projection_query"] = words[int(rows[0])]


def search(view: ModelView, n: int) -> tuple[int | None, list[int], int]:
    """The highlighted word, its nearest neighbours among the projected words, and how many labels to draw."""
    left, middle, right = st.columns([3, 1, 1])
    query = left.text_input("Highlight a word and its neighbours (or click a point)", key="projection_query",
                            persist_state="session", placeholder="e.g. king",
                            help="The word is marked and its nearest neighbours (cosine, among the projected "
                                 "words) are labelled and listed. Clicking a point of a 2-D map does the same."
                            ).strip()
    k = middle.number_input("Neighbours", 1, 50, 10, key="projection_k", persist_state="session",
                            help="How many neighbours to label.")
    labels = right.number_input("Labels", 0, 1000, 100, 25, key="projection_labels", persist_state="session",
                                help="Label this many of the most frequent words (where a label would cover "
                                     "another, it is left out; hover shows every word).")
    if not query:
        return None, [], int(labels)
    emb = view.emb
    if query not in emb:
        with user_errors("Search"):
            emb.index(query)  # raises UnknownWordError with a suggestion
        return None, [], int(labels)
    row = emb.index(query)
    if row >= n:
        st.warning(f"{md_literal(query)} is word number {row + 1:,}: project more words to see it.")
        return None, [], int(labels)
    neighbours = emb.most_similar(query, k=int(k), restrict=n)
    st.caption(f"Neighbours of **{md_literal(query)}**: "
               + md_literal(", ".join(f"{w} ({s:.2f})" for w, s in neighbours)))
    return row, [emb.index(w) for w, _ in neighbours], int(labels)


def _axis_default(view: ModelView, axis: int) -> tuple[str, str]:
    """Default words of an axis: the first of AXIS_DEFAULTS not used yet whose words are all known."""
    usable = [(a, b) for a, b in AXIS_DEFAULTS if all(w in view.emb for w in (*a, *b))]
    if len(usable) <= axis:
        return "", ""
    start, end = usable[axis]
    return ", ".join(start), ", ".join(end)


def semantic_axes(view: ModelView, n: int) -> tuple[np.ndarray, list[str]] | None:
    """Coordinates (n, 2) of the words on two axes named by words, and the axis titles; None after a message."""
    st.caption("Each axis runs from the mean of the first words (at 0) to the mean of the second (at 1), on unit "
               "vectors. Several words per end: separate them with commas.")
    columns = st.columns(4)
    axes = []
    for axis, name in enumerate("xy"):
        start_default, end_default = _axis_default(view, axis)
        start = columns[2 * axis].text_input(f"{name}: from", start_default, key=f"axis_{name}_from",
                                             persist_state="session", placeholder="e.g. man")
        end = columns[2 * axis + 1].text_input(f"{name}: to", end_default, key=f"axis_{name}_to",
                                               persist_state="session", placeholder="e.g. woman")
        axes.append(SemanticAxis(parse_words(start), parse_words(end)))
    if not all(axis.start and axis.end for axis in axes):
        st.info("Name at least one word at each end of both axes (e.g. x: man → woman, y: poor → rich).")
        return None
    try:
        origins, directions = axis_basis(view.emb, axes)
    except ProjectionError as error:
        st.error(md_literal(str(error)))
        return None
    coords = semantic_coordinates(unit_rows(view.emb.vectors[:n]), origins, directions)
    cosine = axes_cosine(directions)
    if abs(cosine) > 0.5:
        st.warning(f"The two axes point in similar directions (cosine {cosine:.2f}): the map is squeezed along a "
                   "diagonal. Choose more different directions.")
    titles = [plot_text([f"{axis.label}   (0 = {' + '.join(axis.start)}, 1 = {' + '.join(axis.end)})"])[0]
              for axis in axes]
    return coords, titles


def draw(view: ModelView, coords: np.ndarray, settings: dict, extras: dict, live: bool = False) -> None:
    """The chart of ``coords`` (n, dims) with colours, labels and the highlighted word, and its downloads."""
    n = settings["n"]
    words = view.emb.words[:n]
    name = METHODS[settings["method"]]
    title = f"{name} of the {n:,} {order_words(view.emb)} words"
    figure = projection_figure(coords, words, extras["colour"], extras["colour_title"], extras["categories"],
                               extras["neighbours"], extras["query"], title, label_count=extras["labels"],
                               axis_titles=extras.get("axis_titles", ()),
                               scale_free=settings["method"] in ("tsne", "umap"))
    if settings["dims"] == 2:
        st.plotly_chart(figure, key="projection_chart", on_select=partial(_select_point, list(words)),
                        selection_mode="points")
    else:
        st.plotly_chart(figure, key="projection_chart")
    if live:
        return
    counts = None if view.emb.counts is None else view.emb.counts[:n]
    clusters = extras["colour"] if settings["colour"] == "cluster" else None
    a, b = st.columns(2)
    a.download_button("Coordinates (CSV)", projection_csv(words, coords, counts, clusters),
                      file_name="projection.csv", mime="text/csv", on_click="ignore",
                      help="word, x, y (and z), count, cluster")
    b.download_button("Chart (HTML)", lambda: figure_html(figure), file_name="projection.html", mime="text/html",
                      on_click="ignore", help="An interactive copy of this chart; the camera icon saves a PNG.")


def _stop() -> None:
    job = session_layout().job
    if job is not None:
        job.stop()


def _run_again(key: tuple) -> None:
    kept_maps().pop(key, None)
    session_layout().forget()


def layout_map(view: ModelView, settings: dict, extras: dict) -> None:
    """A t-SNE or UMAP map: the kept one, or the session's job drawn as it converges (polled by a fragment)."""
    n, method, dims = settings["n"], settings["method"], settings["dims"]
    key = (view.key, n, method, dims)
    name, unit = METHODS[method], "iteration" if method == "tsne" else "epoch"
    kept = kept_maps().get(key)
    if kept is not None:
        if kept.stopped_at is not None:
            left, right = st.columns([4, 1])
            left.info(f"{name} was stopped at {unit} {kept.stopped_at[0]:,} of {kept.stopped_at[1]:,}: this map "
                      "has not converged.")
            right.button(f"Run {name} again", on_click=_run_again, args=(key,))
        draw(view, kept.coords, settings, extras)
        return
    job = start_layout(key, method, view.emb.vectors[:n], dims)

    def live() -> None:
        touch_session()
        snapshot = job.snapshot()
        if snapshot.state == LayoutState.FAILED:
            st.error(f"{name} failed: {md_literal(snapshot.message)}")
            return
        if not snapshot.active:
            if snapshot.coords is not None:
                stopped = None if snapshot.state == LayoutState.FINISHED else (snapshot.iteration, snapshot.total)
                keep(key, KeptMap(snapshot.coords, stopped))
                session_layout().forget()
            st.rerun(scope="app")
        left, right = st.columns([4, 1])
        left.caption(progress_text(name, snapshot, unit))
        if snapshot.total:
            left.progress(min(1.0, snapshot.iteration / snapshot.total))
        right.button("Stop", on_click=_stop, key="projection_stop", help=f"Stop {name} and keep the map so far.")
        if snapshot.coords is not None:
            draw(view, snapshot.coords, settings, extras, live=True)

    st.html(LIVE_STYLE)
    st.fragment(run_every=POLL_SECONDS)(live)()


def show(view: ModelView) -> None:
    remember_queries("projection", view.emb.words, QUERY_KEYS)
    settings = options(view)
    n, method = settings["n"], settings["method"]
    colour, colour_title, categories = colouring(view, n, settings["colour"])
    query, neighbours, labels = search(view, n)
    extras = {"colour": colour, "colour_title": colour_title, "categories": categories, "query": query,
              "neighbours": neighbours, "labels": labels}
    if method in ("tsne", "umap"):
        layout_map(view, settings, extras)
        return
    if method == "axes":
        result = semantic_axes(view, n)
        if result is None:
            return
        coords, extras["axis_titles"] = result
    else:
        coords = cached((view.key, n, "pca", settings["dims"]), "Projecting…",
                        lambda: project(view.emb.vectors[:n], method="pca", dims=settings["dims"]))
    draw(view, coords, settings, extras)
    if settings["dims"] == 2:
        st.caption("Click a point to highlight it and its neighbours. Drag to zoom; double-click to zoom out.")


st.title("Projection")
st.write("Word vectors squeezed to 2 or 3 dimensions: words used in similar contexts land close together.")
with user_errors("The Projection page failed"):
    current = choose_view("projection")
    if current is not None:
        show(current)
