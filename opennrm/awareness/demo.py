"""The action's two grant-based awareness campaigns on labour exploitation (2020, run by CSOs and
in their final phase in October 2020) and the child-trafficking campaign planned for 2021, made
through the services. Amounts and reach figures are synthetic.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from opennrm.awareness import services
from opennrm.awareness.models import Campaign, Grant
from opennrm.demo.context import DemoContext

# (month end, people reached, events, materials, hotline calls) per campaign
_ASTRA_REACH = (
    (date(2020, 5, 31), 18_400, 2, 1_500, 21),
    (date(2020, 7, 31), 26_900, 4, 2_800, 34),
    (date(2020, 9, 30), 31_200, 5, 3_100, 40),
)
_ATINA_REACH = (
    (date(2020, 6, 30), 9_800, 3, 2_200, 12),
    (date(2020, 8, 31), 14_500, 6, 3_600, 19),
    (date(2020, 10, 15), 12_300, 4, 2_900, 17),
)


def seed(ctx: DemoContext) -> None:
    actor = ctx.users["dragan"]
    if Grant.objects.filter(code="grant-2020-astra-labour").exists():
        return
    specs = (
        (
            "astra",
            "grant-2020-astra-labour",
            Decimal("30000.00"),
            "campaign-2020-astra-labour",
            "Знај своја права пре него што одеш на рад у иностранство",
            "Особе које траже посао и радници ангажовани за рад у иностранству",
            ["social_media", "radio", "events"],
            _ASTRA_REACH,
        ),
        (
            "atina",
            "grant-2020-atina-labour",
            Decimal("25000.00"),
            "campaign-2020-atina-labour",
            "Поштен рад, без експлоатације",
            "Сезонски радници у пољопривреди и грађевинарству и њихови послодавци",
            ["outdoor", "print", "events"],
            _ATINA_REACH,
        ),
    )
    for agency_key, grant_code, amount, campaign_code, title, audience, channels, reach in specs:
        grant = services.grant_create(
            actor=actor,
            code=grant_code,
            title=f"Грант за подизање свести: {title}",
            grantee=ctx.agencies[agency_key],
            amount=amount,
            currency="EUR",
            start=date(2020, 4, 1),
            end=date(2020, 12, 31),
            status="final_phase",
            reports_due=[("interim", date(2020, 7, 31)), ("final", date(2021, 1, 31))],
        )
        interim = grant.reports.get(kind="interim")
        services.grant_report_submit(actor=actor, report=interim, submitted_on=date(2020, 7, 28))
        campaign = services.campaign_create(
            actor=actor,
            code=campaign_code,
            title=title,
            topic="labour_exploitation",
            audience=audience,
            channels=channels,
            start=date(2020, 5, 1),
            end=date(2020, 11, 30),
            status="final_phase",
            grant=grant,
        )
        for on, people, events, materials, calls in reach:
            services.reach_report(
                actor=actor,
                campaign=campaign,
                on=on,
                people_reached=people,
                events_held=events,
                materials_distributed=materials,
                hotline_calls=calls,
            )
    if not Campaign.objects.filter(code="campaign-2021-child-trafficking").exists():
        services.campaign_create(
            actor=actor,
            code="campaign-2021-child-trafficking",
            title="Трговина децом: уочи и пријави",
            topic="child_trafficking",
            audience="Ученици, родитељи и наставници",
            channels=["schools", "social_media"],
            start=date(2021, 3, 1),
            end=date(2021, 10, 31),
            status="planned",
        )
    ctx.say("    awareness: 2 grants, 3 campaigns")
