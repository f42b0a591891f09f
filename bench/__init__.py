"""Benchmarks: load and scale measurements of school (see bench/README.md)."""
