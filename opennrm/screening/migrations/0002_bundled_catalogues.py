"""Load version 1 of the four bundled ILO/EC catalogues (opennrm/screening/catalogues/*.yaml)."""

from __future__ import annotations

from typing import Any

from django.db import migrations


def load(apps: Any, schema_editor: Any) -> None:
    from opennrm.screening.catalogue_io import bundled_specs, create_version

    catalogue_model = apps.get_model("screening", "IndicatorCatalogue")
    indicator_model = apps.get_model("screening", "Indicator")
    for spec in bundled_specs():
        if not catalogue_model.objects.filter(list_name=spec.list_name).exists():
            create_version(
                spec,
                catalogue_model=catalogue_model,
                indicator_model=indicator_model,
                imported_by_id=None,
            )


class Migration(migrations.Migration):
    dependencies = [("screening", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
