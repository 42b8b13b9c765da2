"""Reads of proceedings, always through ``accounts.policy``.

Three audiences: justice users (``proceeding.view``: the file, with victims shown only as case code
and identification status), caseworkers (``proceeding.view_stage``: stage and next hearing of the
proceedings of their cases), and statistics (``justice_figures``: aggregates, scoped by role).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from statistics import median
from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from opennrm.accounts import policy
from opennrm.accounts.models import User
from opennrm.audit.services import record
from opennrm.core.errors import NotFoundError, PermissionDeniedError
from opennrm.justice import stages, vocab
from opennrm.justice.models import Charge, Defendant, Hearing, Proceeding, VictimInProceeding


@dataclass(frozen=True)
class ProceedingFilters:
    stage: str = ""
    status: str = ""
    search: str = ""


def proceeding_list(
    *, actor: User, filters: ProceedingFilters | None = None
) -> QuerySet[Proceeding]:
    """Proceedings of the actor's agency (``proceeding.view``), newest first."""
    f = filters or ProceedingFilters()
    proceedings = policy.scope(actor, Proceeding.objects.all(), "proceeding.view").select_related(
        "prosecutor_office", "court", "police_agency"
    )
    if f.stage:
        proceedings = proceedings.filter(stage=f.stage)
    if f.status:
        proceedings = proceedings.filter(status=f.status)
    if f.search:
        term = f.search.strip()
        proceedings = proceedings.filter(
            Q(code__icontains=term)
            | Q(file_number__icontains=term)
            | Q(victims__case__code__iexact=term)
        ).distinct()
    return proceedings.annotate(defendant_count=Count("defendants", distinct=True)).order_by(
        "-started_on", "-id"
    )


@dataclass(frozen=True)
class VictimView:
    """What a justice user may know of a victim: the case code and identification status."""

    link: VictimInProceeding
    case_code: str
    identification_status: str


@dataclass
class ProceedingDetail:
    proceeding: Proceeding
    defendants: list[Defendant]
    victims: list[VictimView]
    hearings: list[Hearing]
    next_hearing: Hearing | None
    days_in_stage: dict[str, int]
    timeline: list[tuple[date, str, str]] = field(default_factory=list)


def identification_status(case: Any) -> str:
    """The victim's identification status as a justice user may know it (no reasoning, no names)."""
    from opennrm.cases.vocab import CaseStatus, IdentificationOutcome

    outcome = (
        case.decisions.order_by("-decided_on", "-id").values_list("outcome", flat=True).first()
    )
    if outcome:
        return str(IdentificationOutcome(outcome).label)
    if case.status in (CaseStatus.IDENTIFIED, CaseStatus.NOT_IDENTIFIED):
        return str(case.get_status_display())
    if case.presumed_victim_date:
        return str(_("Presumed victim"))
    return str(case.get_status_display())


def _next_hearing(hearings: list[Hearing]) -> Hearing | None:
    now = timezone.now()
    upcoming = [h for h in hearings if h.at >= now]
    return upcoming[0] if upcoming else None


def proceeding_get(*, actor: User, pk: int, action: str = "proceeding.edit") -> Proceeding:
    """A proceeding the actor may act on (``action``), or NotFoundError: to anyone else it does
    not exist, on the page and in the API alike."""
    proceeding = policy.scope(actor, Proceeding.objects.all(), action).filter(pk=pk).first()
    if proceeding is None:
        raise NotFoundError(_("No such proceeding."))
    return proceeding


def defendant_get(*, proceeding: Proceeding, pk: int) -> Defendant:
    """A defendant of a proceeding already fetched through ``proceeding_get``."""
    defendant = Defendant.objects.filter(pk=pk, proceeding=proceeding).first()
    if defendant is None:
        raise NotFoundError(_("No such defendant."))
    return defendant


def charge_get(*, proceeding: Proceeding, pk: int) -> Charge:
    """A charge against a defendant of a proceeding already fetched through ``proceeding_get``."""
    charge = Charge.objects.filter(pk=pk, defendant__proceeding=proceeding).first()
    if charge is None:
        raise NotFoundError(_("No such charge."))
    return charge


def victim_link_get(*, proceeding: Proceeding, pk: int) -> VictimInProceeding:
    """A victim's link to a proceeding already fetched through ``proceeding_get``."""
    link = (
        VictimInProceeding.objects.filter(pk=pk, proceeding=proceeding)
        .select_related("case")
        .first()
    )
    if link is None:
        raise NotFoundError(_("No such victim in this proceeding."))
    return link


def case_for_stages(*, actor: User, code: str) -> Any:
    """A case the actor may see, by its code, for the stages of its proceedings
    (``proceeding.view_stage``); NotFoundError for any other."""
    from opennrm.cases.models import Case

    if not policy.can(actor, "proceeding.view_stage"):
        raise PermissionDeniedError(
            _("You do not have permission to see the proceedings of cases.")
        )
    case = policy.scope(actor, Case.objects.all(), "case.view").filter(code=code).first()
    if case is None:
        raise NotFoundError(_("No such case."))
    return case


def proceeding_detail(*, actor: User, pk: int) -> ProceedingDetail:
    """One proceeding for a justice user (``proceeding.view``); victims as code + status only."""
    proceeding = (
        policy.scope(actor, Proceeding.objects.all(), "proceeding.view")
        .select_related("prosecutor_office", "court", "police_agency")
        .prefetch_related(
            Prefetch(
                "defendants",
                queryset=Defendant.objects.prefetch_related(
                    Prefetch(
                        "charges",
                        queryset=Charge.objects.select_related("offence", "initial_offence"),
                    )
                ),
            ),
            Prefetch("victims", queryset=VictimInProceeding.objects.select_related("case")),
            "hearings",
            "stage_changes",
        )
        .filter(pk=pk)
        .first()
    )
    if proceeding is None:
        raise NotFoundError(_("No such proceeding."))
    changes = [(c.stage, c.entered_on) for c in proceeding.stage_changes.all()]
    until = proceeding.closed_on or timezone.localdate()
    hearings = list(proceeding.hearings.all())
    timeline = [
        (c.entered_on, str(vocab.Stage(c.stage).label), c.note)
        for c in proceeding.stage_changes.all()
    ]
    timeline += [
        (timezone.localtime(h.at).date(), str(vocab.HearingKind(h.kind).label), h.place)
        for h in hearings
    ]
    victims = [
        VictimView(
            link=v, case_code=v.case.code, identification_status=str(v.case.get_status_display())
        )
        for v in proceeding.victims.all()
    ]
    return ProceedingDetail(
        proceeding=proceeding,
        defendants=list(proceeding.defendants.all()),
        victims=victims,
        hearings=hearings,
        next_hearing=_next_hearing(hearings),
        days_in_stage=stages.days_in_stages(changes, until=until),
        timeline=sorted(timeline, key=lambda item: item[0]),
    )


@dataclass(frozen=True)
class StageForCaseworker:
    """What a victim's caseworker sees of a proceeding: where it stands and the next hearing."""

    code: str
    stage: str
    status: str
    next_hearing_at: datetime | None
    next_hearing_place: str
    role: str


def proceedings_for_case(*, actor: User, case: Any) -> list[StageForCaseworker]:
    """Stage and next hearing of the proceedings a visible case is part of (``proceeding.view_stage``)."""
    links = VictimInProceeding.objects.filter(
        case=case,
        proceeding__in=policy.scope(actor, Proceeding.objects.all(), "proceeding.view_stage"),
    ).select_related("proceeding")
    result = []
    for link in links:
        upcoming = link.proceeding.hearings.filter(at__gte=timezone.now()).order_by("at").first()
        result.append(
            StageForCaseworker(
                code=link.proceeding.code,
                stage=str(vocab.Stage(link.proceeding.stage).label),
                status=str(vocab.ProceedingStatus(link.proceeding.status).label),
                next_hearing_at=upcoming.at if upcoming else None,
                next_hearing_place=upcoming.place if upcoming else "",
                role=str(vocab.VictimRole(link.role).label),
            )
        )
    return result


@dataclass(frozen=True)
class UpcomingHearing:
    proceeding_code: str
    case_codes: tuple[str, ...]
    at: datetime
    place: str
    kind: str


def upcoming_hearings(*, actor: User, days: int = 14) -> list[UpcomingHearing]:
    """Hearings in the next ``days`` days: of the actor's proceedings for justice users, of
    proceedings linked to their cases for caseworkers; empty for everyone else."""
    visible = Proceeding.objects.none()
    if policy.can(actor, "proceeding.view"):
        visible = policy.scope(actor, Proceeding.objects.all(), "proceeding.view")
    elif policy.can(actor, "proceeding.view_stage"):
        visible = policy.scope(actor, Proceeding.objects.all(), "proceeding.view_stage")
    now = timezone.now()
    hearings = (
        Hearing.objects.filter(
            proceeding__in=visible.values("pk"), at__gte=now, at__lte=now + timedelta(days=days)
        )
        .select_related("proceeding")
        .prefetch_related("proceeding__victims__case")
        .order_by("at")
    )
    return [
        UpcomingHearing(
            proceeding_code=h.proceeding.code,
            case_codes=tuple(v.case.code for v in h.proceeding.victims.all()),
            at=h.at,
            place=h.place,
            kind=str(vocab.HearingKind(h.kind).label),
        )
        for h in hearings
    ]


@dataclass
class JusticeFigures:
    """Criminal-justice figures for a period (exact; statistics applies disclosure control)."""

    investigations: int
    prosecutions: int
    convictions: int
    acquittals: int
    convictions_by_sex: dict[str, int]
    convictions_by_exploitation: dict[str, int]
    prison_months_median: float | None
    days_investigation_to_final_median: float | None
    requalified_charges: int
    compensation_claimed_eur: Decimal
    compensation_awarded_eur: Decimal
    compensation_paid_eur: Decimal
    non_punishment_applied: int
    non_punishment_not_applied: int


def _scope_for_figures(actor: User) -> QuerySet[Proceeding]:
    if policy.can(actor, "stats.official") or policy.can(actor, "stats.restricted"):
        return Proceeding.objects.all()
    if policy.can(actor, "proceeding.view"):
        return policy.scope(actor, Proceeding.objects.all(), "proceeding.view")
    raise PermissionDeniedError(_("You do not have permission to see criminal-justice figures."))


def justice_figures(*, actor: User, start: date, end: date) -> JusticeFigures:
    """Investigations (started in the period), prosecutions (indicted in it), judgments (given in
    it), sentences, duration, compensation and non-punishment — the GRETA / Eurostat figures.
    National figures for statistics roles; a justice user's own agency otherwise."""
    proceedings = _scope_for_figures(actor)
    started = proceedings.filter(started_on__range=(start, end))
    indicted = proceedings.filter(
        stage_changes__stage=vocab.Stage.INDICTMENT, stage_changes__entered_on__range=(start, end)
    ).distinct()
    judged = Defendant.objects.filter(
        proceeding__in=proceedings.values("pk"), outcome_on__range=(start, end)
    )
    convicted = judged.filter(outcome=vocab.Outcome.CONVICTED)
    by_sex = {row["sex"]: row["n"] for row in convicted.values("sex").annotate(n=Count("id"))}
    by_form: dict[str, int] = {}
    for forms in convicted.values_list("proceeding__forms_of_exploitation", flat=True):
        for form in forms or ["Other"]:
            by_form[form] = by_form.get(form, 0) + 1
    months = [m for m in convicted.values_list("prison_months", flat=True) if m]
    durations = []
    for proceeding in proceedings.filter(
        stage=vocab.Stage.FINAL, closed_on__range=(start, end)
    ).prefetch_related("stage_changes"):
        entered = [
            c.entered_on
            for c in proceeding.stage_changes.all()
            if c.stage == vocab.Stage.INVESTIGATION
        ]
        if entered and proceeding.closed_on:
            durations.append((proceeding.closed_on - min(entered)).days)
    links = VictimInProceeding.objects.filter(
        proceeding__in=proceedings.values("pk"), proceeding__started_on__lte=end
    )
    money = links.aggregate(
        claimed=Sum("compensation_claimed_eur"),
        awarded=Sum("compensation_awarded_eur"),
        paid=Sum("compensation_paid_eur"),
    )
    requalified = Charge.objects.filter(
        defendant__proceeding__in=proceedings.values("pk"), requalified_on__range=(start, end)
    ).count()
    return JusticeFigures(
        investigations=started.count(),
        prosecutions=indicted.count(),
        convictions=convicted.count(),
        acquittals=judged.filter(outcome=vocab.Outcome.ACQUITTED).count(),
        convictions_by_sex=by_sex,
        convictions_by_exploitation=by_form,
        prison_months_median=float(median(months)) if months else None,
        days_investigation_to_final_median=float(median(durations)) if durations else None,
        requalified_charges=requalified,
        compensation_claimed_eur=money["claimed"] or Decimal(0),
        compensation_awarded_eur=money["awarded"] or Decimal(0),
        compensation_paid_eur=money["paid"] or Decimal(0),
        non_punishment_applied=links.filter(non_punishment_applied=True).count(),
        non_punishment_not_applied=links.filter(
            prosecuted_for_offence=True, non_punishment_applied=False
        ).count(),
    )


def proceeding_register(
    *, actor: User, proceedings: QuerySet[Proceeding]
) -> tuple[list[str], list[list[Any]]]:
    """The register's rows for an export: victims by case code only; defendants by code, never
    by name. The export is audited here."""
    headers = [
        _("Proceeding"),
        _("File number"),
        _("Prosecutor's office"),
        _("Court"),
        _("Stage"),
        _("Status"),
        _("Started on"),
        _("Defendant"),
        _("Sex"),
        _("Offences"),
        _("Requalified"),
        _("Outcome"),
        _("Prison (months)"),
        _("Victims (case codes)"),
    ]
    rows = []
    for p in proceedings.prefetch_related("defendants__charges__offence", "victims__case"):
        victims = ", ".join(v.case.code for v in p.victims.all())
        for d in p.defendants.all() or [None]:
            charges = list(d.charges.all()) if d else []
            rows.append(
                [
                    p.code,
                    p.file_number,
                    p.prosecutor_office.display_short_name,
                    p.court.display_short_name if p.court else "",
                    p.get_stage_display(),
                    p.get_status_display(),
                    p.started_on.isoformat(),
                    d.code if d else "",
                    d.get_sex_display() if d else "",
                    ", ".join(c.offence.article_label for c in charges),
                    _("yes") if any(c.requalified for c in charges) else "",
                    d.get_outcome_display() if d else "",
                    d.prison_months if d and d.prison_months else "",
                    victims,
                ]
            )
    record(
        actor=actor,
        verb="proceeding.export",
        purpose=_("proceedings register export"),
        changes={"rows": [None, len(rows)]},
    )
    return headers, rows
