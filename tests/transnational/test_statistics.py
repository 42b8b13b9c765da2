"""Issue 17, item 5: the statistics count transnational referrals by partner country and direction,
under the release profiles' disclosure control like every other table."""

from __future__ import annotations

from datetime import date

import pytest
from django.utils import timezone, translation

from opennrm.accounts.models import User
from opennrm.cases import services as case_services
from opennrm.cases import vocab as case_vocab
from opennrm.statistics import selectors
from opennrm.statistics.disclosure import Profile
from opennrm.statistics.tables import Period
from opennrm.transnational import services
from opennrm.transnational.models import Partner
from tests.cases.helpers import accepted_case, fresh
from tests.transnational.partner import REFERRAL, from_partner

pytestmark = pytest.mark.usefixtures("our_keys")


def _send(personas: dict[str, User], partner: Partner) -> None:
    case = accepted_case(personas["ana"], personas["vesna"], citizenship=["MK"])
    case_services.consent_record(
        actor=personas["vesna"], case=case, scope=case_vocab.ConsentScope.TRANSNATIONAL
    )
    services.referral_send(
        actor=personas["vesna"],
        case=fresh(case),
        partner=partner,
        purpose="identify",
        fields=["prs_FirstName"],
    )


def _row(table: selectors.StatisticsTable, name: str) -> dict[str, int | None]:
    built, protected = table.built, table.protected
    i = built.row_names.index(name)
    return {code: protected.cells[i][j].value for j, code in enumerate(built.table.column_labels)}


def test_referrals_sent_and_received_are_counted_by_partner_country(
    personas: dict[str, User], partner: Partner
) -> None:
    for _ in range(2):
        _send(personas, partner)
    for _ in range(6):
        services.receive_envelope(from_partner("referral", REFERRAL))
    year = timezone.localdate().year
    period = Period(date(year, 1, 1), date(year, 12, 31))
    with translation.override("en"):
        official = selectors.statistics_table(
            actor=personas["nada"],
            table_id="transnational_by_partner",
            period=period,
            profile=Profile.OFFICIAL,
        )
    assert _row(official, "North Macedonia") == {"out": 2, "in": 6}
    # Under the restricted profile the figures are the cell-key method's: 2 is never shown as
    # itself (0, i.e. "<5", or 5), 6 is 5, 6 or 7.
    restricted = selectors.statistics_table(
        actor=personas["dragan"],
        table_id="transnational_by_partner",
        period=period,
        profile=Profile.RESTRICTED,
    )
    released = _row(restricted, "North Macedonia")
    assert released["out"] in {None, 0, 5}
    assert released["in"] in {5, 6, 7}
    # The partner's country is named in the reader's language, not by its code.
    with translation.override("sr"):
        serbian = selectors.statistics_table(
            actor=personas["nada"],
            table_id="transnational_by_partner",
            period=period,
            profile=Profile.OFFICIAL,
        )
    assert serbian.built.row_names == ("Северна Македонија",)
    # A partner with no referral in the period is a row of zeros; last year has only zeros.
    last_year = Period(date(year - 1, 1, 1), date(year - 1, 12, 31))
    empty = selectors.statistics_table(
        actor=personas["nada"],
        table_id="transnational_by_partner",
        period=last_year,
        profile=Profile.OFFICIAL,
    )
    assert empty.built.table.cells == ((0, 0),)
