"""Streamlit UI helpers of Word2Vec Lab: session state, corpus choice, charts, exports and messages.

``ui.charts`` and ``ui.exports`` are pure functions (no Streamlit); the other modules call ``streamlit``.
"""
