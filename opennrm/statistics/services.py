"""Writes of the statistics app: sealed HTCDS exports for partners."""

from __future__ import annotations

import csv
import io
import re
import secrets
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from opennrm.accounts import policy
from opennrm.accounts.models import User
from opennrm.audit.services import record
from opennrm.core.errors import NotFoundError, ValidationFailed
from opennrm.core.exports import safe_cell
from opennrm.statistics import htcds
from opennrm.statistics.sealed import seal

_TOKEN = re.compile(r"^[A-Za-z0-9_-]{20,64}$")


@dataclass(frozen=True)
class SealedExport:
    token: str
    password: str
    rows: int
    path: Path


def export_dir() -> Path:
    return Path(settings.VAR_DIR) / "exports"


def _path(actor: User, token: str) -> Path:
    # The owner's id is part of the name, so one user can never fetch another's export.
    return export_dir() / f"htcds-{actor.pk}-{token}.onrmseal"


def htcds_export_create(*, actor: User, recipient: str, purpose: str) -> SealedExport:
    """Write the HTCDS case-level export (CSV and XLSX in a ZIP) sealed under a new random
    password, and audit the disclosure with its recipient. Requires ``export.htcds``. The
    password is returned once and never stored."""
    policy.require(actor, "export.htcds")
    recipient, purpose = recipient.strip(), purpose.strip()
    errors = {}
    if not recipient:
        errors["recipient"] = _("Name the organisation that will receive the data.")
    if not purpose:
        errors["purpose"] = _("State why the data are disclosed.")
    if errors:
        raise ValidationFailed(_("The export needs a recipient and a purpose."), fields=errors)
    import xlsxwriter

    token, password = secrets.token_urlsafe(24), secrets.token_urlsafe(15)
    export_dir().mkdir(parents=True, exist_ok=True)
    count = 0
    with tempfile.TemporaryFile() as plain, tempfile.TemporaryFile() as sheet:
        workbook = xlsxwriter.Workbook(sheet, {"constant_memory": True, "in_memory": False})
        worksheet = workbook.add_worksheet("HTCDS")
        worksheet.write_row(0, 0, htcds.HEADERS)
        with zipfile.ZipFile(plain, "w", zipfile.ZIP_DEFLATED) as archive:
            with archive.open("htcds.csv", "w") as raw:
                text = io.TextIOWrapper(raw, encoding="utf-8", newline="")
                writer = csv.writer(text)
                writer.writerow(htcds.HEADERS)
                for row in htcds.htcds_rows(actor=actor):
                    count += 1
                    cells = [safe_cell(v) for v in row]
                    writer.writerow(cells)
                    worksheet.write_row(count, 0, cells)
                text.flush()
                text.detach()
            workbook.close()
            sheet.seek(0)
            with archive.open("htcds.xlsx", "w") as target:
                while block := sheet.read(1 << 16):
                    target.write(block)
        plain.seek(0)
        path = _path(actor, token)
        with transaction.atomic():
            with path.open("wb") as handle:
                seal(plain, handle, password)
            record(
                actor=actor,
                verb="statistics.export_htcds",
                target_type="statistics.htcds",
                target_id=token[:16],
                target_label=f"{count} cases",
                purpose=purpose,
                recipient=recipient[:200],
                changes={"created": timezone.now().isoformat()},
            )
    return SealedExport(token=token, password=password, rows=count, path=path)


def htcds_export_take(*, actor: User, token: str) -> Path:
    """The sealed file of ``actor``'s export ``token`` for one download; requires
    ``export.htcds``. The caller deletes it once sent."""
    policy.require(actor, "export.htcds")
    path = _path(actor, token) if _TOKEN.match(token) else None
    if path is None or not path.exists():
        raise NotFoundError(_("This export does not exist or was already downloaded."))
    record(
        actor=actor,
        verb="statistics.download_htcds",
        target_type="statistics.htcds",
        target_id=token[:16],
        purpose="download of a sealed export",
    )
    return path
