"""Benchmarks (not tests): each module exposes ``main()``, prints a table and compares
against a baseline measured in the same run. Results are recorded in BENCHMARKS.md."""
