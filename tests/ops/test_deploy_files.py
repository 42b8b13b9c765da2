"""The files under deploy/ hold together: each unit runs a command that exists with options it
accepts, every long-running piece and daily job of the brief has its unit, secrets come from
credentials and never from the environment file, and nginx keeps /metrics to itself."""

from __future__ import annotations

import configparser
import runpy
import shlex
from pathlib import Path

import pytest
from django.core.management import get_commands, load_command_class

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"
UNITS = sorted((DEPLOY / "systemd").glob("*.service"))


def _unit(path: Path) -> configparser.ConfigParser:
    parser = configparser.ConfigParser(strict=False, interpolation=None)
    parser.optionxform = str  # type: ignore[assignment,method-assign]
    parser.read(path)
    return parser


def test_every_piece_of_a_deployment_has_its_unit() -> None:
    names = {path.stem for path in UNITS}
    assert {
        "opennrm-web",
        "opennrm-worker",
        "opennrm-worker-long",
        "opennrm-sealer",
        "opennrm-deadline-reminders",
        "opennrm-hearing-reminders",
        "opennrm-backup",
        "opennrm-retention",
    } <= names
    timers = {path.stem for path in (DEPLOY / "systemd").glob("*.timer")}
    assert {
        name
        for name in names
        if _unit(DEPLOY / "systemd" / f"{name}.service")["Service"].get("Type") == "oneshot"
    } == timers


def test_every_task_queue_has_a_worker_and_the_long_jobs_their_own() -> None:
    """A task on a queue no worker serves would wait forever; a synthesis (minutes of every CPU)
    on the short jobs' queue would hold imports and reminders back."""
    import importlib
    import pkgutil

    from django.tasks import Task

    import opennrm
    from opennrm.statistics.tasks import make_synthetic

    served = set()
    for path in UNITS:
        words = shlex.split(_unit(path)["Service"]["ExecStart"])
        if "db_worker" in words:
            at = words.index("--queue-name") if "--queue-name" in words else -1
            served |= set(words[at + 1].split(",")) if at >= 0 else {"default"}
    queues = set()
    for module in pkgutil.iter_modules(opennrm.__path__):
        try:
            tasks = importlib.import_module(f"opennrm.{module.name}.tasks")
        except ModuleNotFoundError:
            continue
        queues |= {v.queue_name for v in vars(tasks).values() if isinstance(v, Task)}
    assert {"default", "long"} <= queues
    assert queues <= served
    assert make_synthetic.queue_name == "long"


@pytest.mark.parametrize("path", UNITS, ids=lambda p: p.name)
def test_each_unit_runs_a_command_that_accepts_its_options(path: Path) -> None:
    service = _unit(path)["Service"]
    exec_start = service["ExecStart"]
    if "manage.py" not in exec_start:
        assert "gunicorn" in exec_start
        assert "deploy/gunicorn.conf.py" in exec_start
        return
    words = shlex.split(exec_start.replace("'", " "))
    args = words[words.index("manage.py") + 1 :]
    name = args[0]
    commands = get_commands()
    assert name in commands, f"{path.name} runs manage.py {name}, which does not exist"
    parser = load_command_class(commands[name], name).create_parser("manage.py", name)
    known = {option for action in parser._actions for option in action.option_strings}
    for word in args[1:]:
        if word.startswith("--"):
            assert word in known, f"{path.name}: manage.py {name} has no option {word}"


@pytest.mark.parametrize("path", UNITS, ids=lambda p: p.name)
def test_secrets_come_from_credentials_not_the_environment_file(path: Path) -> None:
    text = path.read_text()
    assert "User=opennrm" in text  # never root
    for secret in ("SECRET_KEY", "OPENNRM_DATA_KEYS", "OPENNRM_BLIND_INDEX_KEY"):
        assert f"{secret}_FILE=%d/" in text, f"{path.name} does not hand {secret} as a credential"
    env = (DEPLOY / "opennrm.env").read_text()
    for line in env.splitlines():
        assert not line.startswith(("SECRET_KEY=", "OPENNRM_DATA_KEYS=", "OPENNRM_BACKUP_KEY=")), (
            line
        )


def test_production_settings_in_the_environment_file() -> None:
    env = dict(
        line.split("=", 1)
        for line in (DEPLOY / "opennrm.env").read_text().splitlines()
        if line and not line.startswith("#")
    )
    assert env["OPENNRM_AUDIT_SEALER"] == "external"  # the sealer unit does the sealing
    assert env["OPENNRM_BEHIND_PROXY"] == "1"
    assert env["DATABASE_URL"].startswith("postgres://")
    assert "DEBUG" not in env


def test_gunicorn_configuration_loads_and_binds_to_loopback() -> None:
    config = runpy.run_path(str(DEPLOY / "gunicorn.conf.py"))
    assert config["bind"] == "127.0.0.1:8000"
    assert config["worker_class"] == "sync"
    assert config["accesslog"] is None  # Django's access line has no query strings
    assert callable(config["child_exit"])


def test_nginx_terminates_tls_and_keeps_metrics_private() -> None:
    site = (DEPLOY / "nginx" / "opennrm.conf").read_text()
    assert "listen 443 ssl;" in site
    assert "ssl_protocols TLSv1.2 TLSv1.3;" in site
    assert "location = /metrics { return 404; }" in site
    assert "Strict-Transport-Security" in site
    assert "proxy_set_header X-Forwarded-Proto $scheme;" in site
    assert "proxy_set_header X-Request-ID $request_id;" in site
    assert "alias /srv/opennrm/static/;" in site
    assert "$uri" in (DEPLOY / "nginx" / "log-format.conf").read_text()
    assert "$request_uri" not in (DEPLOY / "nginx" / "log-format.conf").read_text()
