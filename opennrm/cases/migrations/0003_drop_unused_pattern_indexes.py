"""Drop indexes that no query uses, so bulk writes (import, generate_cases) maintain fewer.

On PostgreSQL Django adds a second, ``varchar_pattern_ops`` index (suffix ``_like``) beside the
index of every indexed or unique ``CharField``, for ``LIKE 'x%'``. Only the case code is searched
by prefix (``selectors.case_list``); its ``_like`` index stays. The rest are compared only for
equality, which their plain index serves:

* the three blind indexes of a person (HMAC digests: equality only, by definition);
* the person code (looked up whole; a code prefix is searched on the case code, which starts
  with it);
* the status of a case and of a referral (choices, filtered by equality).

``case_code_prefix`` (0002) is the same index as Django's own ``_like`` index on ``cases_case.code``
and goes too. Reversible: the reverse creates each index again.
"""

from django.db import migrations

# (table, column) of the ``_like`` indexes dropped.
PATTERN_INDEXES = [
    ("cases_person", "name_index"),
    ("cases_person", "name_dob_index"),
    ("cases_person", "name_yob_index"),
    ("cases_person", "code"),
    ("cases_case", "status"),
    ("cases_referral", "status"),
]


def _drop(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor != "postgresql":
        return  # SQLite has no pattern-ops indexes
    for table, column in PATTERN_INDEXES:
        name = schema_editor._create_index_name(table, [column], suffix="_like")
        schema_editor.execute(f"DROP INDEX IF EXISTS {schema_editor.quote_name(name)}")
    schema_editor.execute("DROP INDEX IF EXISTS case_code_prefix")


def _create(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor != "postgresql":
        return
    for table, column in PATTERN_INDEXES:
        name = schema_editor._create_index_name(table, [column], suffix="_like")
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {schema_editor.quote_name(name)} ON "
            f"{schema_editor.quote_name(table)} ({schema_editor.quote_name(column)} "
            "varchar_pattern_ops)"
        )
    schema_editor.execute(
        "CREATE INDEX IF NOT EXISTS case_code_prefix ON cases_case (code varchar_pattern_ops)"
    )


class Migration(migrations.Migration):
    dependencies = [("cases", "0002_deadline_indexes")]

    operations = [migrations.RunPython(_drop, _create)]
