"""Production mode starts (issue 13, finding 5; issue 15, item 5).

With ``DEBUG`` unset, ``collectstatic`` failed on a missing ``chart.umd.min.js.map`` and every HTML
page, the sign-in page included, answered 500. This test does what an operator does: secrets from
``*_FILE`` files, ``migrate``, ``collectstatic`` (whitenoise's compressed manifest storage),
``check --deploy``, gunicorn on a free local port behind a TLS-terminating proxy (the proxy's
``X-Forwarded-Proto`` header, ``OPENNRM_BEHIND_PROXY``), then the sign-in page, a page after signing
in, a static file and the API with a token. A fresh SQLite file whatever the suite's database:
production settings, not the test settings, and nothing shared with the other tests.
"""

from __future__ import annotations

import base64
import contextlib
import http.client
import json
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

import pytest

ROOT = Path(__file__).resolve().parents[2]
PYTHON = sys.executable
GUNICORN = str(Path(sys.executable).with_name("gunicorn"))
PASSWORD = "Prod-mode-" + secrets.token_hex(8)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="module")
def production_env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    base = tmp_path_factory.mktemp("production")
    files = {
        "SECRET_KEY_FILE": secrets.token_urlsafe(50),
        "OPENNRM_DATA_KEYS_FILE": "k1:" + base64.b64encode(os.urandom(32)).decode(),
        "OPENNRM_BLIND_INDEX_KEY_FILE": base64.b64encode(os.urandom(32)).decode(),
    }
    env = {
        name: value
        for name, value in os.environ.items()
        if name in {"PATH", "HOME", "LANG", "LC_ALL", "TMPDIR", "PYTHONPATH", "VIRTUAL_ENV"}
    }
    for name, value in files.items():
        path = base / name.lower()
        path.write_text(value, encoding="utf-8")
        path.chmod(0o600)
        env[name] = str(path)
    env.update(
        DJANGO_SETTINGS_MODULE="opennrm.settings",  # production settings; DEBUG is not set
        DATABASE_URL=f"sqlite:///{base / 'opennrm.sqlite3'}",
        STATIC_ROOT=str(base / "static"),
        MEDIA_ROOT=str(base / "media"),
        OPENNRM_VAR_DIR=str(base / "var"),
        ALLOWED_HOSTS="127.0.0.1",
        OPENNRM_BEHIND_PROXY="1",
        OPENNRM_AUDIT_SEALER="inline",
        OPENNRM_TASKS_BACKEND="django.tasks.backends.immediate.ImmediateBackend",
    )
    return env


def _manage(env: dict[str, str], *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [PYTHON, "manage.py", *args],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def _finish(process: subprocess.Popen[str], what: str) -> str:
    output, _ = process.communicate(timeout=240)
    assert process.returncode == 0, f"{what} failed:\n{output}"
    return output


@pytest.fixture(scope="module")
def server(production_env: dict[str, str]) -> Iterator[tuple[int, str]]:
    """Build, start gunicorn; yields ``(port, api_token)``."""
    env = production_env
    # The two slow steps touch different things (the database, STATIC_ROOT): side by side.
    collect = _manage(env, "collectstatic", "--noinput", "-v0")
    _finish(_manage(env, "migrate", "-v0"), "migrate")
    _finish(
        _manage(
            env,
            "shell",
            "-c",
            "from opennrm.accounts.models import User; "
            f"User.objects.create_user(username='operator', password='{PASSWORD}')",
        ),
        "creating a user",
    )
    token = _finish(_manage(env, "issue_token", "operator"), "issue_token").strip().splitlines()[-1]
    _finish(collect, "collectstatic")
    port = _free_port()
    log = Path(env["OPENNRM_VAR_DIR"]).parent / "gunicorn.log"
    process = subprocess.Popen(
        [GUNICORN, "opennrm.wsgi", "-b", f"127.0.0.1:{port}", "-w", "1", "--timeout", "60"],
        cwd=ROOT,
        env=env,
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 1):
                break
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"gunicorn did not start:\n{log.read_text()}")
            time.sleep(0.2)
        yield port, token
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)


class Browser:
    """Just enough of a browser behind the proxy: cookies (Secure ones too) and the proxy header."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.cookies: dict[str, str] = {}

    def request(
        self, method: str, path: str, body: dict[str, str] | None = None, **headers: str
    ) -> tuple[int, dict[str, str], str]:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        sent = {
            "Host": "127.0.0.1",
            "X-Forwarded-Proto": "https",
            "Referer": f"https://127.0.0.1{path}",
            "Origin": "https://127.0.0.1",
        }
        if self.cookies:
            sent["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        data = None
        if body is not None:
            data = urlencode(body)
            sent["Content-Type"] = "application/x-www-form-urlencoded"
        sent.update(headers)
        connection.request(method, path, body=data, headers=sent)
        response = connection.getresponse()
        for header in response.headers.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(header).items():
                self.cookies[name] = morsel.value
        text = response.read().decode("utf-8", "replace")
        connection.close()
        return response.status, dict(response.headers), text


def test_production_builds_starts_and_serves_sign_in_a_page_and_the_api(
    server: tuple[int, str], production_env: dict[str, str]
) -> None:
    port, token = server
    browser = Browser(port)

    status, _headers, page = browser.request("GET", "/accounts/login/")
    assert status == 200, page[-2000:]
    csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    assert csrf is not None
    stylesheet = re.search(
        r'href="(/static/vendor/bootstrap/bootstrap\.min\.[0-9a-f]{12}\.css)"', page
    )
    assert stylesheet is not None, "the page does not use the manifest's hashed static file names"

    status, headers, _ = browser.request(
        "POST",
        "/accounts/login/",
        {"csrfmiddlewaretoken": csrf.group(1), "login": "operator", "password": PASSWORD},
    )
    assert status == 302, headers
    status, _headers, home = browser.request("GET", headers["Location"])
    assert status == 200
    assert "operator" in home

    status, headers, css = browser.request("GET", stylesheet.group(1))
    assert status == 200
    assert css.startswith("@charset") or ".container" in css
    assert "max-age" in headers.get("Cache-Control", "")

    status, _headers, body = browser.request(
        "GET", "/api/v1/accounts/me", Authorization=f"Bearer {token}", Cookie=""
    )
    assert status == 200, body
    assert '"username": "operator"' in body or '"username":"operator"' in body

    # The metrics a supervisor on this machine scrapes: each task queue its own series.
    status, _headers, metrics = browser.request("GET", "/metrics", Cookie="")
    assert status == 200, metrics[-2000:]
    for queue in ("default", "long"):
        assert f'opennrm_task_queue_depth{{queue="{queue}"}} 0.0' in metrics
        assert f'opennrm_task_queue_oldest_seconds{{queue="{queue}"}} 0.0' in metrics

    check = subprocess.run(
        [PYTHON, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=production_env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert check.returncode == 0, check.stdout + check.stderr


def test_production_makes_and_serves_a_ctdc_file(
    server: tuple[int, str], production_env: dict[str, str]
) -> None:
    """The CTDC file in production mode: a coordinator's token (a machine client's: a person
    with the role would need a second factor) asks for it, the task runs (here
    the immediate backend, in the gunicorn process, as the worker would), the file lands in the
    production MEDIA_ROOT and gunicorn serves it with its report."""
    port, _operator_token = server
    _finish(
        _manage(
            production_env,
            "shell",
            "-c",
            "from opennrm.accounts.models import RoleAssignment, User; "
            "user = User.objects.create_user(username='coordinator', is_service_account=True); "
            "RoleAssignment.objects.create(user=user, role='national_coordinator')",
        ),
        "creating a coordinator",
    )
    token = (
        _finish(_manage(production_env, "issue_token", "coordinator", "--scope", "write"), "token")
        .strip()
        .splitlines()[-1]
    )
    browser = Browser(port)
    auth = {"Authorization": f"Bearer {token}", "Cookie": ""}

    status, _headers, body = browser.request("POST", "/api/v1/statistics/ctdc/", **auth)
    assert status == 202, body
    export = json.loads(body)
    status, _headers, body = browser.request(
        "GET", f"/api/v1/statistics/ctdc/{export['id']}", **auth
    )
    assert status == 200, body
    made = json.loads(body)
    assert made["status"] == "done", made
    assert [row["column"] for row in made["loss"]][:2] == ["yearOfRegistration", "Datasource"]

    status, headers, csv_text = browser.request("GET", made["download_url"], **auth)
    assert status == 200, csv_text[-2000:]
    assert headers["X-K"] == "11"
    assert csv_text.lstrip("\ufeff").startswith("yearOfRegistration,Datasource,")
    kept = list((Path(production_env["MEDIA_ROOT"]) / "statistics" / "ctdc").rglob("*.csv"))
    assert len(kept) == 1
