"""Benchmarks of Word2Vec Lab: short scripts whose figures are in BENCHMARKS.md.

Run each from the repository root as a module, e.g. ``python -m benchmarks.ws_load -n 2``; each module's
docstring says what it measures and how to run it.
"""
