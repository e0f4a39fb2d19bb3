"""Word2Vec Lab: entry point of the Streamlit app (navigation and the sidebar status on every page)."""

import time

import streamlit as st

from ui.kernels import warm_kernels_in_background, warm_umap_in_background
from ui.runs import record_current_run
from ui.serving import log_server_time
from ui.settings import setting
from ui.share import apply_shared_setup, show_share_warnings, write_setup_to_url
from ui.sidebar import show_status
from ui.training import keep_session_guard

started = time.perf_counter()
st.set_page_config(page_title="Word2Vec Lab", layout="wide")
warm_kernels_in_background()  # the first Start training finds the kernels compiled
warm_umap_in_background()  # and the first UMAP finds umap-learn compiled (in the process that forks its jobs)
apply_shared_setup()  # once per session: the settings of a shared link, before any widget is drawn
keep_session_guard()
page = st.navigation([
    st.Page("pages/corpus.py", title="Corpus"),
    st.Page("pages/train.py", title="Train", default=True),
    st.Page("pages/gradients.py", title="Gradients"),
    st.Page("pages/projection.py", title="Projection"),
    st.Page("pages/neighbours.py", title="Neighbours"),
    st.Page("pages/gradient_lab.py", title="Gradient lab"),
    st.Page("pages/evolution.py", title="Evolution"),
    st.Page("pages/compare.py", title="Compare"),
])
record_current_run()  # a run that ended since the last rerun is kept for the Compare page
show_share_warnings()
write_setup_to_url(setting)  # the URL always holds the current setup, ready to share
page.run()
with st.sidebar:  # after the page, so that the status reflects what the page just changed
    show_status()
log_server_time(time.perf_counter() - started, page=page.title)  # only with $W2V_PAGE_TIMES set
