"""The project's settings without ``MetricsMiddleware``: the "without metrics" side of the
case-list benchmark (``bench/cases_bench.py --metrics both``). Everything else is as deployed."""

from opennrm.settings import *  # noqa: F403

MIDDLEWARE = [m for m in MIDDLEWARE if not m.endswith(".MetricsMiddleware")]  # noqa: F405
