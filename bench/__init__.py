"""Benchmarks: `python -m bench.<name>`; ratios are measured against a baseline in the same run."""
