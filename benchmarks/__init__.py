"""Benchmarks of Word2Vec Lab: scripts whose figures are in BENCHMARKS.md, each run from the repository root as a
module (``python -m benchmarks.ws_load -n 2``); each module's docstring says what it measures and how to run it."""
