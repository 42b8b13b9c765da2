"""Pages benchmark (issue 20): the pages people use, under 50 signed-in users, and their weight.

Run against a database filled by ``seed_demo`` and ``generate_cases`` (bench/README.md, "Pages")::

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/opnrm_pages DEBUG=1 \\
        flock /tmp/opennrm-bench.lock .venv/bin/python bench/pages_bench.py

What it measures, with gunicorn (``--workers`` sync workers, default 2 × cores + 1), ``DEBUG``
off, static files collected and served by WhiteNoise as in production, the interface in Serbian:

1. **Server time alone**: each page requested ``--alone`` times in a row by one client (after
   one warm-up request), median and max — where a page's time goes before any queueing.
2. **Weight**: the page's HTML as sent to a browser that accepts gzip (GZipMiddleware), plus, on
   a first visit, every stylesheet and script it links, as WhiteNoise sends them to it. A next visit fetches the HTML only: static files
   carry hashed names and a year's ``immutable`` caching.
3. **50 users**: ``--users`` simulated people signed in as the case manager (Vesna), the
   screener (Ana), the shelter (Milan) and the coordinator (Dragan), in turn; each requests a
   page of their own role, drawn at random, then thinks 1–3 s (``--think``), for
   ``--duration`` seconds after ``--warm-up``. Latency p50 / p95 / max per page and over all.

Sessions are made in this process (``Client.force_login``, the personas have TOTP enrolled) and
their cookies given to the load's HTTP clients; the servers share the database and the keys.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "opennrm.settings")

import django  # noqa: E402

django.setup()

import requests  # noqa: E402
from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402

from opennrm.accounts.models import User  # noqa: E402
from opennrm.cases.models import Case  # noqa: E402
from opennrm.demo.base import ensure_agencies, ensure_personas, ensure_totp  # noqa: E402

ROLES = ("vesna", "ana", "milan", "dragan")


def pages_of(users: dict[str, User]) -> dict[str, dict[str, list[str]]]:
    """Each persona's pages (name → URLs to draw from)."""
    vesna = users["vesna"]
    rng = random.Random(11)
    own = Case.objects.filter(lead_agency_id=vesna.agency_id)
    low = own.order_by("id").values_list("id", flat=True).first()
    high = own.order_by("-id").values_list("id", flat=True).first()
    case_ids: list[int] = []
    if low is not None and high is not None:
        for _ in range(100):
            found = (
                own.filter(id__gte=rng.randrange(low, high + 1))
                .order_by("id")
                .values_list("id", flat=True)
                .first()
            )
            if found is not None:
                case_ids.append(found)
    return {
        "vesna": {
            "home": ["/"],
            "case list": ["/cases/"],
            "case page": [f"/cases/{pk}/" for pk in case_ids] or ["/cases/"],
            "referral inbox": ["/cases/referrals/"],
            "deadlines": ["/cases/deadlines/"],
        },
        "ana": {"home": ["/"], "screening form": ["/screening/new/"]},
        "milan": {"home": ["/"], "service inbox": ["/cases/services/"]},
        "dragan": {"home": ["/"], "monitoring": ["/monitoring/"], "statistics": ["/statistics/"]},
    }


def session_cookies(users: dict[str, User]) -> dict[str, dict[str, str]]:
    cookies = {}
    for name in ROLES:
        client = Client()
        client.force_login(users[name])
        cookies[name] = {
            settings.SESSION_COOKIE_NAME: client.cookies[settings.SESSION_COOKIE_NAME].value,
            settings.LANGUAGE_COOKIE_NAME: "sr",
        }
    return cookies


def start_server(args: argparse.Namespace, static_root: str) -> tuple[subprocess.Popen[bytes], str]:
    env = {
        **os.environ,
        "DEBUG": "0",
        "SECRET_KEY": settings.SECRET_KEY,
        "OPENNRM_DATA_KEYS": settings.OPENNRM_DATA_KEYS,
        "OPENNRM_BLIND_INDEX_KEY": settings.OPENNRM_BLIND_INDEX_KEY,
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "0",
        "SESSION_COOKIE_SECURE": "0",
        "CSRF_COOKIE_SECURE": "0",
        "STATIC_ROOT": static_root,
        "DATABASE_CONN_MAX_AGE": "600",
    }
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
        cwd=ROOT,
        env=env,
        check=True,
    )
    address = f"127.0.0.1:{args.port}"
    log = open(Path(tempfile.gettempdir()) / "opennrm-pages-bench.log", "ab")  # noqa: SIM115
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "opennrm.wsgi:application",
            "--bind",
            address,
            "--workers",
            str(args.workers),
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=log,
    )
    url = f"http://{address}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if requests.get(f"{url}/healthz", timeout=2).status_code == 200:
                return process, url
        except requests.RequestException:
            pass
        time.sleep(0.5)
    process.terminate()
    raise SystemExit("The server did not start.")


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


ASSET = re.compile(r'<(?:link[^>]+href|script[^>]+src)="(/static/[^"]+)"')


def weight(session: requests.Session, base: str, path: str) -> tuple[int, int, int]:
    """(HTML bytes, HTML bytes as sent to a browser accepting gzip, its stylesheets and scripts
    as sent likewise)."""
    html = session.get(base + path, timeout=60).text
    sent = session.get(base + path, headers={"Accept-Encoding": "gzip"}, stream=True, timeout=60)
    html_sent = len(sent.raw.read())
    assets = 0
    for asset in sorted(set(ASSET.findall(html))):
        response = session.get(base + asset, headers={"Accept-Encoding": "gzip"}, stream=True)
        assets += len(response.raw.read())
    return len(html.encode()), html_sent, assets


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--think", type=float, nargs=2, default=(1.0, 3.0))
    parser.add_argument("--duration", type=float, default=120)
    parser.add_argument("--warm-up", type=float, default=15)
    parser.add_argument("--alone", type=int, default=10, help="Requests per page, one client.")
    parser.add_argument("--workers", type=int, default=2 * (os.cpu_count() or 1) + 1)
    parser.add_argument("--port", type=int, default=8766)
    parser.add_argument("--skip-load", action="store_true")
    args = parser.parse_args()

    users = ensure_personas(ensure_agencies(), with_mfa=False)
    for name in ROLES:
        ensure_totp(users[name])
    pages = pages_of(users)
    cookies = session_cookies(users)
    total = Case.objects.count()
    load = " / ".join(Path("/proc/loadavg").read_text().split()[:3])
    print(f"Database: {connection.vendor} {connection.settings_dict['NAME']}, {total:,} cases")
    print(f"Load before: {load}", flush=True)
    static_root = tempfile.mkdtemp(prefix="opennrm-pages-static-")
    process, base = start_server(args, static_root)
    try:
        print(
            "\n| page | alone median ms | alone max ms | HTML KB | next visit KB (sent) "
            "| first visit KB (sent) |"
        )
        print("|---|---|---|---|---|---|")
        for name in ROLES:
            session = requests.Session()
            session.cookies.update(cookies[name])
            for page_name, urls in pages[name].items():
                session.get(base + urls[0], timeout=60)  # warm-up
                times = []
                for i in range(args.alone):
                    started = time.perf_counter()
                    response = session.get(base + urls[i % len(urls)], timeout=60)
                    times.append(time.perf_counter() - started)
                    if response.status_code != 200 or "/accounts/" in response.url:
                        raise SystemExit(f"{name} {urls[i % len(urls)]}: {response.status_code}")
                html, html_sent, assets = weight(session, base, urls[0])
                print(
                    f"| {name}: {page_name} | {1000 * statistics.median(times):.0f} | "
                    f"{1000 * max(times):.0f} | {html / 1024:.1f} | {html_sent / 1024:.1f} | "
                    f"{(html_sent + assets) / 1024:.1f} |",
                    flush=True,
                )
        if args.skip_load:
            return
        samples: list[tuple[str, float, float, bool]] = []
        lock = threading.Lock()
        stop = time.monotonic() + args.warm_up + args.duration

        def user(number: int) -> None:
            rng = random.Random(number)
            name = ROLES[number % len(ROLES)]
            session = requests.Session()
            session.cookies.update(cookies[name])
            time.sleep(rng.uniform(*args.think))
            while time.monotonic() < stop:
                page_name = rng.choice(list(pages[name]))
                url = rng.choice(pages[name][page_name])
                started = time.monotonic()
                try:
                    ok = session.get(base + url, timeout=60).status_code == 200
                except requests.RequestException:
                    ok = False
                with lock:
                    samples.append((page_name, started, time.monotonic() - started, ok))
                time.sleep(rng.uniform(*args.think))

        threads = [threading.Thread(target=user, args=(n,), daemon=True) for n in range(args.users)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        counted_from = min(s[1] for s in samples) + args.warm_up
        counted = [s for s in samples if s[1] >= counted_from]
        print(
            f"\n{args.users} users ({', '.join(ROLES)} in turn), think {args.think[0]:g}–"
            f"{args.think[1]:g} s, {args.duration:g} s counted, gunicorn {args.workers} workers: "
            f"{len(counted):,} requests"
        )
        print(
            "\n| page | requests | errors | p50 ms | p95 ms | max ms |\n|---|---|---|---|---|---|"
        )
        names = [*sorted({s[0] for s in counted}), "all"]
        for page_name in names:
            mine = [s for s in counted if page_name in ("all", s[0])]
            ms = [1000 * s[2] for s in mine]
            print(
                f"| {page_name} | {len(mine)} | {sum(1 for s in mine if not s[3])} | "
                f"{percentile(ms, 0.5):.0f} | {percentile(ms, 0.95):.0f} | {max(ms):.0f} |"
            )
        load = " / ".join(Path("/proc/loadavg").read_text().split()[:3])
        print(f"\nLoad after: {load}")
    finally:
        process.terminate()
        process.wait(timeout=60)


if __name__ == "__main__":
    main()
