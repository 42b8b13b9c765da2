"""The triggers that keep ``statistics.cube`` true: the months whose counts a change may move
(``StaleMonth``), and how many rows each case has in the distinct-counted populations
(``RecordTimes``).

PostgreSQL only: there the tables read months counted ahead; SQLite counts every release from
the rows. Statement-level triggers with transition tables, so a bulk load or a bulk update marks
each month once per statement instead of once per row. Each marks too much rather than too
little: every month in which an affected case has an event (presumed, reflection period,
identification decision, permit, service request), before and after the change. An instant
(a referral sent, a service requested) is counted on its day in the server's time zone; its
months are those of the instant 14 hours either side, which holds for every time zone.
"""

from collections.abc import Callable

from django.db import migrations

MONTH = "date_trunc('month', {})::date"
# The months of an instant in any time zone.
INSTANT_MONTHS = (
    "SELECT " + MONTH.format("({0} - interval '14 hours')::date") + " FROM {1} UNION ALL "
    "SELECT " + MONTH.format("({0} + interval '14 hours')::date") + " FROM {1}"
)

CASE_MONTHS = f"""
CREATE OR REPLACE FUNCTION opennrm_stale_cases(ids bigint[]) RETURNS void
LANGUAGE sql AS $$
    INSERT INTO statistics_stalemonth (month)
    SELECT DISTINCT m FROM (
        SELECT {MONTH.format("c.presumed_victim_date")} AS m
        FROM cases_case c WHERE c.id = ANY(ids)
        UNION ALL
        SELECT {MONTH.format("c.reflection_period_start")}
        FROM cases_case c WHERE c.id = ANY(ids)
        UNION ALL
        SELECT {MONTH.format("d.decided_on")}
        FROM cases_identificationdecision d WHERE d.case_id = ANY(ids)
        UNION ALL
        SELECT {MONTH.format("p.granted_on")}
        FROM cases_residencepermit p WHERE p.case_id = ANY(ids)
        UNION ALL
        {INSTANT_MONTHS.format("s.requested_at", "cases_servicerequest s WHERE s.case_id = ANY(ids)")}
    ) AS months WHERE m IS NOT NULL
$$;
"""


def _times(population: str, rows: str, row: str, sign: str) -> str:
    """Add the rows of transition table ``rows`` (``sign`` "+": added, "-": removed) to how many
    rows each case has in ``population`` by ``row`` (``RecordTimes``), in the order of the keys
    (so two statements wait for each other, never deadlock)."""
    return (
        "INSERT INTO statistics_recordtimes AS r (population, case_id, row, times) "
        f"SELECT '{population}', case_id, {row}, {sign}count(*) FROM {rows} "
        "WHERE case_id IS NOT NULL GROUP BY 2, 3 ORDER BY 2, 3 "
        "ON CONFLICT (population, case_id, row) DO UPDATE SET times = r.times + EXCLUDED.times;"
    )


def _dated(rows: str, column: str) -> str:
    return (
        f"INSERT INTO statistics_stalemonth (month) SELECT DISTINCT m FROM "
        f"(SELECT {MONTH.format(column)} AS m FROM {rows}) AS months WHERE m IS NOT NULL;"
    )


def _instants(rows: str, column: str) -> str:
    return (
        f"INSERT INTO statistics_stalemonth (month) SELECT DISTINCT m FROM "
        f"({INSTANT_MONTHS.format(column, rows)}) AS months(m) WHERE m IS NOT NULL;"
    )


def _both(body_old: str, body_new: str) -> str:
    """``body_old`` for the removed rows (UPDATE, DELETE), ``body_new`` for the added ones."""
    return (
        f"IF TG_OP IN ('UPDATE', 'DELETE') THEN {body_old} END IF; "
        f"IF TG_OP IN ('INSERT', 'UPDATE') THEN {body_new} END IF;"
    )


def _counted_per_case(
    population: str, row: str, months: Callable[[str, str], str], day: str
) -> str:
    """A distinct-counted population's table: the months of its removed rows (dated by
    ``day``), its rows per case (``RecordTimes``) and every month of the cases it touches."""
    cases = " PERFORM opennrm_stale_cases(ARRAY(SELECT DISTINCT case_id FROM {}));"
    return _both(
        months("old_rows", day)
        + _times(population, "old_rows", row, "-")
        + cases.format("old_rows"),
        _times(population, "new_rows", row, "+") + cases.format("new_rows"),
    )


# Each function reads the transition tables its event has: new_rows (INSERT, UPDATE) and
# old_rows (UPDATE, DELETE).
FUNCTIONS = {
    "cases_case": f"""
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        {_dated("old_rows", "presumed_victim_date")}
        {_dated("old_rows", "reflection_period_start")}
    END IF;
    IF TG_OP = 'INSERT' THEN
        {_dated("new_rows", "presumed_victim_date")}
        {_dated("new_rows", "reflection_period_start")}
    ELSIF TG_OP = 'UPDATE' THEN
        PERFORM opennrm_stale_cases(ARRAY(
            SELECT n.id FROM new_rows n JOIN old_rows o ON o.id = n.id
            WHERE (n.presumed_victim_date, n.reflection_period_start, n.is_child,
                   n.forms_of_exploitation, n.trafficking_scope, n.person_id)
                IS DISTINCT FROM
                  (o.presumed_victim_date, o.reflection_period_start, o.is_child,
                   o.forms_of_exploitation, o.trafficking_scope, o.person_id)));
    END IF;
    """,
    "cases_person": """
    PERFORM opennrm_stale_cases(ARRAY(
        SELECT c.id FROM cases_case c JOIN new_rows n ON n.id = c.person_id
        JOIN old_rows o ON o.id = n.id
        WHERE (n.gender, n.year_of_birth, n.citizenship)
            IS DISTINCT FROM (o.gender, o.year_of_birth, o.citizenship)));
    """,
    "cases_referral": _both(
        _instants("old_rows", "sent_at") + " PERFORM opennrm_stale_cases(ARRAY("
        "SELECT case_id FROM old_rows WHERE case_id IS NOT NULL));",
        _instants("new_rows", "sent_at") + " PERFORM opennrm_stale_cases(ARRAY("
        "SELECT case_id FROM new_rows WHERE case_id IS NOT NULL));",
    ),
    "accounts_agency": """
    PERFORM opennrm_stale_cases(ARRAY(
        SELECT r.case_id FROM cases_referral r JOIN new_rows n ON n.id = r.from_agency_id
        JOIN old_rows o ON o.id = n.id
        WHERE r.case_id IS NOT NULL AND n.type IS DISTINCT FROM o.type));
    """
    + _instants(
        "cases_referral r JOIN new_rows n ON n.id = r.from_agency_id "
        "JOIN old_rows o ON o.id = n.id WHERE n.type IS DISTINCT FROM o.type",
        "r.sent_at",
    ),
    "cases_identificationdecision": _counted_per_case("identified", "''", _dated, "decided_on"),
    "cases_residencepermit": _counted_per_case("permits", "permit_type", _dated, "granted_on"),
    "cases_servicerequest": _counted_per_case(
        "assistance", "service_type", _instants, "requested_at"
    ),
}

# The events each table's changes can move counts by (a new person or agency has no cases).
EVENTS = {
    "cases_case": ("INSERT", "UPDATE", "DELETE"),
    "cases_person": ("UPDATE",),
    "cases_referral": ("INSERT", "UPDATE", "DELETE"),
    "accounts_agency": ("UPDATE",),
    "cases_identificationdecision": ("INSERT", "UPDATE", "DELETE"),
    "cases_residencepermit": ("INSERT", "UPDATE", "DELETE"),
    "cases_servicerequest": ("INSERT", "UPDATE", "DELETE"),
}
TABLES = {
    "INSERT": "NEW TABLE AS new_rows",
    "UPDATE": "OLD TABLE AS old_rows NEW TABLE AS new_rows",
    "DELETE": "OLD TABLE AS old_rows",
}
# The rows already there when the triggers are made.
EXISTING = """
INSERT INTO statistics_recordtimes (population, case_id, row, times)
SELECT 'identified', case_id, '', count(*) FROM cases_identificationdecision GROUP BY 2
UNION ALL
SELECT 'permits', case_id, permit_type, count(*) FROM cases_residencepermit GROUP BY 2, 3
UNION ALL
SELECT 'assistance', case_id, service_type, count(*) FROM cases_servicerequest GROUP BY 2, 3;
"""


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    statements = [CASE_MONTHS]
    for table, body in FUNCTIONS.items():
        statements.append(
            f"CREATE OR REPLACE FUNCTION opennrm_stale_{table}() RETURNS trigger "
            f"LANGUAGE plpgsql AS $$ BEGIN {body} RETURN NULL; END $$;"
        )
        for event in EVENTS[table]:
            statements.append(
                f"CREATE TRIGGER opennrm_stale_{event.lower()} AFTER {event} ON {table} "
                f"REFERENCING {TABLES[event]} FOR EACH STATEMENT "
                f"EXECUTE FUNCTION opennrm_stale_{table}();"
            )
    statements.append(EXISTING)
    with schema_editor.connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        for table, events in EVENTS.items():
            for event in events:
                cursor.execute(f"DROP TRIGGER IF EXISTS opennrm_stale_{event.lower()} ON {table}")
            cursor.execute(f"DROP FUNCTION IF EXISTS opennrm_stale_{table}()")
        cursor.execute("DROP FUNCTION IF EXISTS opennrm_stale_cases(bigint[])")


class Migration(migrations.Migration):
    dependencies = [
        ("statistics", "0003_month_counts"),
        ("cases", "0011_decision_identified_index"),
        ("accounts", "0005_agency_short_name_sr"),
    ]

    operations = [migrations.RunPython(create, drop)]
