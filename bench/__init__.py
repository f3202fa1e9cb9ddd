"""Benchmarks and scale (issue 7), a development tool outside the installable package
(``src/opencity``): the benchmark runner ``bench/run.py`` and the load generator
``python -m bench.gen_load`` (``loadgen.py``, which needs numpy, a development requirement).
See ``bench/README.md``."""
