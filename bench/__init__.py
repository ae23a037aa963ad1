"""Reproducible benchmarks: each prints the tool's time beside a floor
measured in the same run (see ``python -m bench --help``)."""
