"""Benchmarks and scale (issue 7): the load generator ``manage.py gen_load`` and the trivial
``/healthz`` endpoint that ``make bench`` uses as its ceiling. See ``bench/README.md``."""
