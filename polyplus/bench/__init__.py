"""`make bench`: a large world built fast with COPY (world.py), what each measured page asks
the database (probe.py), and the load run under gunicorn and wrk that writes docs/benchmarks.md
(load.py)."""
