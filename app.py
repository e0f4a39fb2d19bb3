"""Word2Vec Lab: entry point of the Streamlit app (placeholder until the pages land)."""

import streamlit as st

st.set_page_config(page_title="Word2Vec Lab", layout="wide")
st.title("Word2Vec Lab")
st.write("Train word2vec on your own text and watch it learn. The pages are on their way.")
