"""Awareness pages: grants and campaigns with their reach, as tables, charts and XLSX."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.utils.translation import gettext as _

from opennrm.accounts import policy
from opennrm.awareness import selectors
from opennrm.awareness.models import Campaign, Channel, Grant, ReachReport
from opennrm.core.exports import Sheet, xlsx_response
from opennrm.core.http import AuthenticatedHttpRequest, actor


def _campaign_rows(campaigns: list[Campaign]) -> tuple[list[str], list[list[Any]]]:
    channels = dict(Channel.choices)
    headers = [
        _("Code"),
        _("Campaign"),
        _("Topic"),
        _("Audience"),
        _("Channels"),
        _("Start"),
        _("End"),
        _("Status"),
        _("Grantee"),
        _("People reached"),
        _("Events held"),
        _("Materials distributed"),
        _("Hotline calls"),
    ]
    rows = [
        [
            c.code,
            c.title,
            c.get_topic_display(),
            c.audience,
            ", ".join(str(channels.get(ch, ch)) for ch in c.channels),
            c.start,
            c.end,
            c.get_status_display(),
            c.grant.grantee.name if c.grant else "",
            getattr(c, "people_reached", 0),
            getattr(c, "events_held", 0),
            getattr(c, "materials_distributed", 0),
            getattr(c, "hotline_calls", 0),
        ]
        for c in campaigns
    ]
    return headers, rows


def _grant_rows(grants: list[Grant]) -> tuple[list[str], list[list[Any]]]:
    headers = [
        _("Code"),
        _("Grant"),
        _("Grantee"),
        _("Amount"),
        _("Currency"),
        _("Start"),
        _("End"),
        _("Status"),
        _("Campaigns"),
        _("Reports outstanding"),
    ]
    rows = [
        [
            g.code,
            g.title,
            g.grantee.name,
            float(g.amount),
            g.currency,
            g.start,
            g.end,
            g.get_status_display(),
            getattr(g, "campaign_count", 0),
            getattr(g, "reports_open", 0),
        ]
        for g in grants
    ]
    return headers, rows


@login_required
def index(request: AuthenticatedHttpRequest) -> HttpResponseBase:
    policy.require(actor(request), "awareness.view")
    campaigns = list(selectors.campaign_list(actor=actor(request)))
    grants = list(selectors.grant_list(actor=actor(request)))
    campaign_headers, campaign_rows = _campaign_rows(campaigns)
    grant_headers, grant_rows = _grant_rows(grants)
    if request.GET.get("export") == "xlsx":
        return xlsx_response(
            "awareness.xlsx",
            [
                Sheet(_("Campaigns"), campaign_headers, campaign_rows),
                Sheet(_("Grants"), grant_headers, grant_rows),
            ],
        )
    chart = {
        "type": "bar",
        "labels": [c.code for c in campaigns],
        "datasets": [
            {"label": _("People reached"), "data": [c.people_reached for c in campaigns]}  # type: ignore[attr-defined]
        ],
    }
    return render(
        request,
        "awareness/index.html",
        {
            "campaigns": campaigns,
            "grants": grants,
            "chart": chart,
            "can_edit": policy.can(actor(request), "awareness.edit"),
        },
    )


@login_required
def campaign_detail(request: AuthenticatedHttpRequest, code: str) -> HttpResponseBase:
    policy.require(actor(request), "awareness.view")
    campaign = selectors.campaign_get(actor=actor(request), code=code)
    reports: list[ReachReport] = list(
        selectors.reach_report_list(actor=actor(request), campaign=campaign)
    )
    headers = [
        _("Period ending"),
        _("People reached"),
        _("Events held"),
        _("Materials distributed"),
        _("Hotline calls"),
    ]
    rows = [
        [r.on, r.people_reached, r.events_held, r.materials_distributed, r.hotline_calls]
        for r in reports
    ]
    if request.GET.get("export") == "xlsx":
        return xlsx_response(f"{campaign.code}.xlsx", [Sheet(campaign.code, headers, rows)])
    chart = {
        "type": "bar",
        "labels": [r.on.isoformat() for r in reports],
        "datasets": [
            {"label": _("People reached"), "data": [r.people_reached for r in reports]},
        ],
    }
    grant_reports = (
        list(selectors.grant_report_list(actor=actor(request), grant=campaign.grant))
        if campaign.grant
        else []
    )
    return render(
        request,
        "awareness/campaign_detail.html",
        {
            "campaign": campaign,
            "headers": headers,
            "rows": rows,
            "chart": chart,
            "grant_reports": grant_reports,
        },
    )
