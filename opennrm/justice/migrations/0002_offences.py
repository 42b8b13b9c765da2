"""The maintained list of offences (Criminal Code of Serbia). Titles as commonly translated; an
administrator can add offences or mark one no longer in use."""

from __future__ import annotations

from typing import Any

from django.db import migrations

OFFENCES = [
    ("CC-388", "Art. 388", "Trafficking in human beings", "Трговина људима", True),
    ("CC-389", "Art. 389", "Trafficking in minors for adoption", "Трговина малолетним лицима ради усвојења", True),
    ("CC-390", "Art. 390", "Holding in slavery and transporting persons held in slavery", "Заснивање ропског односа и превоз лица у ропском односу", True),
    ("CC-184", "Art. 184", "Mediation in prostitution", "Посредовање у вршењу проституције", False),
    ("CC-185", "Art. 185", "Exploitation of a minor for pornography", "Искоришћавање малолетног лица за порнографију", False),
    ("CC-187", "Art. 187", "Cohabitation with a minor", "Ванбрачна заједница са малолетником", False),
    ("CC-350", "Art. 350", "Illegal crossing of the state border and people smuggling", "Недозвољен прелаз државне границе и кријумчарење људи", False),
]


def seed(apps: Any, schema_editor: Any) -> None:
    Offence = apps.get_model("justice", "Offence")
    for code, article, title_en, title_sr, trafficking in OFFENCES:
        Offence.objects.update_or_create(
            code=code,
            defaults={"article": article, "title_en": title_en, "title_sr": title_sr, "is_trafficking": trafficking},
        )


class Migration(migrations.Migration):
    dependencies = [("justice", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
