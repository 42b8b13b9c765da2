"""Two national platforms at once — Serbia and North Macedonia — each with its own database, keys,
country and server, exchanging a referral over real HTTP and taking it to a completed return.

Each installation is this code base started as a separate ``runserver`` on its own port with its
own SQLite database file. Caseworkers' actions run through the services in a ``manage.py shell``
of the installation concerned; packages travel only through the inbox endpoints, delivered by
``manage.py trm_deliver`` as the background worker would. Then the attacks: a replayed, a
tampered, an expired package and one from a revoked partner are each refused by the live inbox
with nothing written.
"""

from __future__ import annotations

import base64
import json
import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import requests

from opennrm.transnational import envelope
from tests.passes import only_in_pass

ROOT = Path(__file__).resolve().parents[2]
pytestmark = [pytest.mark.slow, only_in_pass("sqlite")]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Installation:
    country: str
    seed: bytes
    env: dict[str, str]
    port: int
    server: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def inbox(self) -> str:
        return f"{self.url}/api/v1/transnational/inbox"

    @property
    def keys(self) -> envelope.KeyPair:
        return envelope.KeyPair.from_seed(self.seed)

    def manage(self, *args: str) -> str:
        done = subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=ROOT,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=180,
            check=False,
        )
        assert done.returncode == 0, done.stderr[-3000:]
        return done.stdout

    def run(self, code: str) -> Any:
        """Run ``code`` in this installation's shell; it sets ``result``, returned as JSON."""
        prelude = (
            "import json\nfrom opennrm.accounts.models import User\n"
            "from opennrm.transnational import services as trm\n"
            "from opennrm.transnational.models import *\n"
            "from opennrm.cases import services as cases, vocab\n"
            "from opennrm.audit.models import AuditEntry\n"
            "def user(name): return User.objects.get(username=name)\n"
            "result = None\n"
        )
        out = self.manage(
            "shell", "-c", prelude + code + "\nprint('@@' + json.dumps(result, default=str))"
        )
        return json.loads(out.rsplit("@@", 1)[1])

    def counts(self) -> list[int]:
        return self.run(
            "result = [Package.objects.count(), TransnationalReferral.objects.count(),"
            " StatusUpdate.objects.count(), AuditEntry.objects.count()]"
        )


def _environment(tmp: Path, country: str, seed: bytes, database: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "PYTEST"))}
    env.update(
        DJANGO_SETTINGS_MODULE="opennrm.settings",
        DEBUG="1",
        DATABASE_URL=f"sqlite:///{database}",
        SECRET_KEY=f"two-installations-{country}-" + "x" * 40,
        OPENNRM_DATA_KEYS=f"k{country.lower()}:" + base64.b64encode(seed[::-1]).decode(),
        OPENNRM_BLIND_INDEX_KEY=f"blind-{country}",
        OPENNRM_TRM_KEYS=base64.b64encode(seed).decode(),
        OPENNRM_COUNTRY_CODE=country,
        OPENNRM_TASKS_BACKEND="django_tasks_db.DatabaseBackend",
        OPENNRM_VAR_DIR=str(tmp / country),
        ALLOWED_HOSTS="127.0.0.1,localhost",
    )
    return env


@pytest.fixture(scope="module")
def platforms(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[Installation, Installation]]:
    tmp = tmp_path_factory.mktemp("two-installations")
    template = tmp / "template.sqlite3"
    installs = []
    for country, seed in (("RS", bytes(range(32))), ("MK", bytes(range(50, 82)))):
        database = tmp / f"{country}.sqlite3"
        install = Installation(
            country, seed, _environment(tmp, country, seed, database), _free_port()
        )
        if not template.exists():
            install.env["DATABASE_URL"] = f"sqlite:///{template}"
            install.manage("migrate", "--noinput", "-v", "0")
            install.env["DATABASE_URL"] = f"sqlite:///{database}"
        shutil.copy(template, database)
        install.run(
            "from opennrm.demo.base import ensure_agencies, ensure_personas\n"
            "ensure_personas(ensure_agencies(), with_mfa=False)"
        )
        installs.append(install)
    for install in installs:
        install.server = subprocess.Popen(
            [sys.executable, "manage.py", "runserver", f"127.0.0.1:{install.port}", "--noreload"],
            cwd=ROOT,
            env=install.env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
    try:
        for install in installs:
            for _ in range(120):
                try:
                    if requests.get(f"{install.url}/healthz", timeout=2).ok:
                        break
                except requests.ConnectionError:
                    time.sleep(0.5)
            else:
                pytest.fail(f"the {install.country} installation did not start")
        yield installs[0], installs[1]
    finally:
        for install in installs:
            if install.server:
                install.server.terminate()
                install.server.wait(timeout=20)


def _register(at: Installation, partner: Installation, name: str) -> None:
    facts = json.loads(partner.manage("trm_keys", "--json"))
    assert facts["country"] == partner.country
    at.manage(
        "trm_partner",
        "add",
        "--country",
        partner.country,
        "--name",
        name,
        "--as",
        "ivan",
        "--endpoint",
        partner.inbox,
        "--sign-key",
        facts["sign_public"],
        "--box-key",
        facts["box_public"],
        "--fingerprint",
        facts["fingerprint"],
    )


def test_a_referral_goes_from_serbia_to_the_partner_and_back_to_a_completed_return(
    platforms: tuple[Installation, Installation],
) -> None:
    serbia, macedonia = platforms
    _register(serbia, macedonia, "NRM North Macedonia")
    _register(macedonia, serbia, "NRM Serbia")

    # Serbia: a case whose person has not (yet) consented to a transfer abroad.
    case_id = serbia.run(
        "from datetime import date\n"
        "ana, vesna = user('ana'), user('vesna')\n"
        "r = cases.referral_create(actor=ana, given_names='Elena', family_name='Stojanovska',"
        " date_of_birth=date(1999, 3, 2), gender='Feminine', citizenship=['MK'], languages=['mk'],"
        " reason='Found working without pay in Novi Sad.', consent_given=True,"
        " consent_scope=['referral'])\n"
        "case = cases.referral_accept(actor=vesna, referral=r, expected_version=r.version)\n"
        "result = case.pk"
    )
    send = (
        f"from opennrm.cases.models import Case\ncase = Case.objects.get(pk={case_id})\n"
        "partner = Partner.objects.get(country='MK')\n"
        "try:\n"
        "    ref = trm.referral_send(actor=user('vesna'), case=case, partner=partner, purpose='return',"
        " fields=['prs_FirstName', 'prs_SecondName', 'prs_Birthdate', 'prs_Gender', 'prs_Citizenship'],"
        " reason='Жели да се врати кући у Битољ.')\n"
        "    result = str(ref.package_id)\n"
        "except Exception as exc:\n"
        "    result = 'refused: ' + str(exc)\n"
    )
    assert serbia.run(send).startswith("refused: The person's consent")
    serbia.run(
        f"from opennrm.cases.models import Case\n"
        f"cases.consent_record(actor=user('vesna'), case=Case.objects.get(pk={case_id}), scope='transnational')"
    )
    package_id = serbia.run(send)
    assert "delivered 1" in serbia.manage("trm_deliver")

    # North Macedonia: the referral is in the identification centre's inbox, in its own words.
    received = macedonia.run(
        "r = TransnationalReferral.objects.get(direction='in')\n"
        "result = [str(r.package_id), r.purpose, r.status, json.loads(r.data)['prs_FirstName'],"
        " json.loads(r.free_text)['reason']]"
    )
    assert received == [package_id, "return", "received", "Elena", "Жели да се врати кући у Битољ."]
    assert "delivered 1" in macedonia.manage("trm_deliver")  # the acknowledgement

    # Accepted there (a case opened through the duplicate check), reception arranged.
    macedonia.run(
        "r = TransnationalReferral.objects.get(direction='in')\n"
        "case = trm.incoming_accept(actor=user('vesna'), referral=r, expected_version=r.version)\n"
        "r.refresh_from_db()\n"
        "trm.status_send(actor=user('vesna'), referral=r, status='reception_confirmed',"
        " note='Shelter place in Bitola from 15 December.')\n"
        "result = case.code"
    )
    assert "delivered 2" in macedonia.manage("trm_deliver")
    seen = serbia.run(
        "r = TransnationalReferral.objects.get(direction='out')\n"
        "result = [r.status, list(r.updates.filter(direction='in').values_list('status', flat=True))]"
    )
    assert seen == ["reception_confirmed", ["received", "accepted", "reception_confirmed"]]

    # Serbia: risk assessed, the person travels; the partner hears of it.
    serbia.run(
        "from datetime import date\n"
        "r = TransnationalReferral.objects.get(direction='out')\n"
        "trm.return_plan_save(actor=user('vesna'), referral=r, expected_version=None,"
        " risk_assessment='Low: the recruiters were convicted.', risk_level='low',"
        " travel_documents='Passport returned by the police', travel_on=date(2026, 12, 15))\n"
        "r.refresh_from_db()\n"
        "trm.return_complete(actor=user('vesna'), referral=r, returned_on=date(2026, 12, 15),"
        " follow_up_on=date(2027, 1, 15))"
    )
    assert "delivered 1" in serbia.manage("trm_deliver")
    assert (
        macedonia.run("result = TransnationalReferral.objects.get(direction='in').status")
        == "return_completed"
    )
    assert serbia.run(
        "result = sorted(set(AuditEntry.objects.filter(verb__startswith='trm.').values_list('verb', flat=True)))"
    ) == [
        "trm.partner.register",
        "trm.referral.send",
        "trm.return.plan",
        "trm.status.receive",
        "trm.status.send",
    ]

    # --- the attacks, against North Macedonia's live inbox --------------------------------------
    original = serbia.run(
        f"result = Package.objects.get(direction='out', package_id='{package_id}').envelope"
    )
    before = macedonia.counts()

    replayed = requests.post(macedonia.inbox, json=original, timeout=30)
    assert (replayed.status_code, replayed.json()["error"]["code"]) == (409, "replayed")

    tampered = dict(original, id="3f0c8a54-2d7e-4a57-9d2c-6b1f1d1b2a77")
    answer = requests.post(macedonia.inbox, json=tampered, timeout=30)
    assert (answer.status_code, answer.json()["error"]["code"]) == (401, "bad_signature")

    partner_keys = envelope.PublicKeys.from_text(
        **{
            k: v
            for k, v in json.loads(macedonia.manage("trm_keys", "--json")).items()
            if k in ("sign_public", "box_public")
        }
    )
    payload = {"in_reply_to": package_id, "status": "case_closed"}
    expired = envelope.seal(
        kind="status",
        payload=payload,
        sender="RS",
        recipient="MK",
        sender_keys=serbia.keys,
        recipient_keys=partner_keys,
        now=datetime.now(UTC) - timedelta(days=4),
        ttl=timedelta(days=3),
    )
    answer = requests.post(macedonia.inbox, json=expired, timeout=30)
    assert (answer.status_code, answer.json()["error"]["code"]) == (410, "expired")
    assert macedonia.counts() == before

    macedonia.manage(
        "trm_partner", "status", "--country", "RS", "--status", "revoked", "--as", "ivan"
    )
    before = macedonia.counts()
    fresh = envelope.seal(
        kind="status",
        payload=payload,
        sender="RS",
        recipient="MK",
        sender_keys=serbia.keys,
        recipient_keys=partner_keys,
        now=datetime.now(UTC),
        ttl=timedelta(hours=1),
    )
    answer = requests.post(macedonia.inbox, json=fresh, timeout=30)
    assert (answer.status_code, answer.json()["error"]["code"]) == (403, "partner_not_active")
    assert macedonia.counts() == before
    assert (
        macedonia.run("result = TransnationalReferral.objects.get(direction='in').status")
        == "return_completed"
    )
