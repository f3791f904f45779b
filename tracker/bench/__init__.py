"""The benchmark's own pieces (``manage.py bench``): a baseline page and the runner.

None of this is part of the product: the baseline URL exists only under
``tracker.bench.settings``, which only the benchmark's gunicorn uses.
"""
