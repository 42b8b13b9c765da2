"""gunicorn configuration for OpenNRM (``gunicorn -c deploy/gunicorn.conf.py opennrm.wsgi``).

Sync workers, as the case-list benchmark runs them (bench/README.md): 2 x cores + 1. The app sits
behind nginx on loopback; nginx terminates TLS and sends X-Forwarded-Proto and X-Request-ID.
Every value can be overridden from the environment (GUNICORN_* below) without editing this file.
"""

from __future__ import annotations

import multiprocessing
import os
import shutil
from pathlib import Path

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("GUNICORN_WORKERS", 2 * multiprocessing.cpu_count() + 1))
worker_class = "sync"
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))
graceful_timeout = 30
keepalive = 5
# Recycle workers now and then (with jitter so they do not restart together): bounds any slow leak.
max_requests = 5000
max_requests_jitter = 500
# Django writes its own structured access line (opennrm.request); gunicorn's would add paths with
# their query strings, which may hold a name someone searched for.
accesslog = None
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOGLEVEL", "info")
forwarded_allow_ips = "127.0.0.1,::1"
proxy_allow_ips = "127.0.0.1,::1"
limit_request_line = 8190

# Prometheus counters from every worker add up through files in this directory (see
# opennrm/lifecycle/metrics.py). It must be empty when the server starts.
_metrics_dir = os.environ.get("PROMETHEUS_MULTIPROC_DIR")


def on_starting(server: object) -> None:
    if _metrics_dir:
        shutil.rmtree(_metrics_dir, ignore_errors=True)
        Path(_metrics_dir).mkdir(parents=True, mode=0o700, exist_ok=True)


def child_exit(server: object, worker: object) -> None:
    if _metrics_dir:
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)  # type: ignore[attr-defined]
