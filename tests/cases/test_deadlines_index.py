"""The partial index behind "identification decision due" covers exactly the states it serves."""

from __future__ import annotations

from opennrm.cases import deadlines
from opennrm.cases.models import Case


def test_the_pending_cases_index_is_on_the_pending_decision_states():
    index = next(i for i in Case._meta.indexes if i.name == "case_pending_by_agency")
    condition = dict(index.condition.children)
    assert set(condition["status__in"]) == set(deadlines.PENDING_DECISION_STATES)
    assert index.fields == ["lead_agency", "opened_on", "id"]
