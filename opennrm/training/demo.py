"""The 2020 training results of the Serbian action (reference/serbia-action.md), made through the
services so that every figure on the pages is computed: 37 law students who completed the 9 HELP
modules in April–June 2020 (11 applied to volunteer), 31 judges and prosecutors in
October–December 2020, and labour-inspector coverage of 83%. Trainee names are synthetic.
"""

from __future__ import annotations

import unicodedata
from datetime import date, timedelta

from django.utils import timezone

from opennrm.accounts.models import Agency, User
from opennrm.demo.context import DemoContext
from opennrm.training import services
from opennrm.training.models import (
    Cohort,
    Course,
    Curriculum,
    EventKind,
    NeedsAssessment,
    OutcomeKind,
    Profession,
    Sex,
    TargetPopulation,
    Trainee,
    TrainingEvent,
)

HELP_MODULES = (
    ("intro", "Introduction to trafficking in human beings", "Увод у трговину људима"),
    ("concepts", "Definitions and forms of exploitation", "Дефиниције и облици експлоатације"),
    (
        "standards",
        "International and European legal standards",
        "Међународни и европски правни стандарди",
    ),
    ("identification", "Identification of victims", "Идентификација жртава"),
    ("assistance", "Assistance and protection of victims", "Помоћ и заштита жртава"),
    ("children", "Child victims of trafficking", "Деца жртве трговине људима"),
    ("non-punishment", "The non-punishment principle", "Начело некажњавања"),
    ("justice", "Investigation, prosecution and adjudication", "Истрага, кривично гоњење и суђење"),
    ("compensation", "Access to justice and compensation", "Приступ правди и накнада штете"),
)

FEMALE = (
    "Jelena",
    "Milica",
    "Ana",
    "Marija",
    "Jovana",
    "Ivana",
    "Tamara",
    "Dragana",
    "Sanja",
    "Katarina",
    "Nevena",
    "Teodora",
    "Snežana",
    "Mirjana",
    "Biljana",
    "Aleksandra",
)
MALE = (
    "Marko",
    "Nikola",
    "Stefan",
    "Miloš",
    "Luka",
    "Aleksandar",
    "Nemanja",
    "Dušan",
    "Vladimir",
    "Đorđe",
    "Filip",
    "Ivan",
    "Dejan",
    "Zoran",
    "Goran",
    "Bojan",
)
SURNAMES = (
    "Jovanović",
    "Petrović",
    "Nikolić",
    "Marković",
    "Đorđević",
    "Stojanović",
    "Ilić",
    "Stanković",
    "Pavlović",
    "Milošević",
    "Popović",
    "Savić",
    "Kostić",
    "Tomić",
    "Lazić",
    "Radović",
    "Živković",
    "Obradović",
    "Vasić",
    "Mitić",
    "Todorović",
    "Kovačević",
)

LAW_STUDENTS_ENROLLED = 42
LAW_STUDENTS_COMPLETED = 37
LAW_STUDENTS_VOLUNTEERING = 11
JUDGES_PROSECUTORS = 31
INSPECTORS_HEADCOUNT = 300
INSPECTORS_TRAINED = 249  # 249 / 300 = 83%


def _ascii(text: str) -> str:
    text = text.replace("đ", "dj").replace("Đ", "Dj")
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()


def _trainee(
    ctx: DemoContext,
    actor: User,
    prefix: str,
    number: int,
    profession: str,
    agency: Agency | None = None,
    agency_type: str = "",
) -> Trainee:
    female = ctx.rng.random() < 0.6
    first = ctx.rng.choice(FEMALE if female else MALE)
    last = ctx.rng.choice(SURNAMES)
    return services.trainee_register(
        actor=actor,
        first_name=first,
        last_name=last,
        email=f"{_ascii(first)}.{_ascii(last)}.{prefix}{number:03d}@example.org",
        profession=profession,
        sex=Sex.FEMALE if female else Sex.MALE,
        agency=agency,
        agency_type=agency_type,
    )


def _day_between(ctx: DemoContext, start: date, end: date) -> date:
    return start + timedelta(days=ctx.rng.randint(0, (end - start).days))


def _complete_all(
    ctx: DemoContext, actor: User, cohort: Cohort, trainee: Trainee, last_day: date
) -> None:
    enrolment = services.enrolment_create(actor=actor, cohort=cohort, trainee=trainee)
    day = cohort.start
    completions = {}
    for module in cohort.course.modules.all():
        # Modules are done in order, a few days apart, the last one no later than ``last_day``.
        day = min(last_day, day + timedelta(days=ctx.rng.randint(1, 8)))
        completions[module] = day
    services.completions_record(actor=actor, enrolment=enrolment, completions=completions)


def _help_course(ctx: DemoContext, actor: User) -> Course:
    course = Course.objects.filter(code="help-thb-2020").first()
    if course is None:
        course = services.course_create(
            actor=actor,
            code="help-thb-2020",
            title="HELP online course: Combating trafficking in human beings",
            title_sr="HELP онлајн курс: Борба против трговине људима",
            provider="Програм HELP Савета Европе",
            edition="2020",
            modules=HELP_MODULES,
        )
    return course


def _law_students(ctx: DemoContext, actor: User, course: Course) -> None:
    if Cohort.objects.filter(code="help-2020-law-students").exists():
        return
    start, end = date(2020, 4, 1), date(2020, 6, 30)
    cohort = services.cohort_create(
        actor=actor,
        course=course,
        code="help-2020-law-students",
        title="Курс HELP за студенте права, пролеће 2020.",
        target_group="law_students",
        start=start,
        end=end,
        organiser=ctx.agencies["coe"],
        language="sr",
    )
    for number in range(1, LAW_STUDENTS_ENROLLED + 1):
        trainee = _trainee(ctx, actor, "ls", number, Profession.LAW_STUDENT)
        if number <= LAW_STUDENTS_COMPLETED:
            _complete_all(ctx, actor, cohort, trainee, end)
            if number <= LAW_STUDENTS_VOLUNTEERING:
                enrolment = cohort.enrolments.get(trainee=trainee)
                services.outcome_record(
                    actor=actor,
                    enrolment=enrolment,
                    kind=OutcomeKind.APPLIED_TO_VOLUNTEER,
                    recorded_on=date(2020, 7, 15),
                )
        else:
            # Started but did not finish: a few modules only.
            enrolment = services.enrolment_create(actor=actor, cohort=cohort, trainee=trainee)
            services.completions_record(
                actor=actor,
                enrolment=enrolment,
                completions={
                    module: _day_between(ctx, start, end)
                    for module in course.modules.all()[: ctx.rng.randint(1, 6)]
                },
            )
    ctx.say(f"    HELP law students: {LAW_STUDENTS_ENROLLED} enrolled")


def _judges_prosecutors(ctx: DemoContext, actor: User, course: Course) -> None:
    if Cohort.objects.filter(code="help-2020-judges-prosecutors").exists():
        return
    start, end = date(2020, 10, 15), date(2020, 12, 31)
    cohort = services.cohort_create(
        actor=actor,
        course=course,
        code="help-2020-judges-prosecutors",
        title="Курс HELP за судије и тужиоце, јесен 2020.",
        target_group="judges_prosecutors",
        start=start,
        end=end,
        organiser=ctx.agencies["judicial_academy"],
        language="sr",
    )
    for number in range(1, JUDGES_PROSECUTORS + 1):
        judge = number % 2 == 0
        trainee = _trainee(
            ctx,
            actor,
            "jp",
            number,
            Profession.JUDGE if judge else Profession.PROSECUTOR,
            ctx.agencies["court" if judge else "prosecution"],
        )
        _complete_all(ctx, actor, cohort, trainee, end)
    ctx.say(f"    HELP judges and prosecutors: {JUDGES_PROSECUTORS}")


def _labour_inspectors(ctx: DemoContext, actor: User) -> None:
    if TargetPopulation.objects.filter(code="labour_inspectors").exists():
        return
    labour = ctx.agencies["labour"]
    towns = (
        "Beograd",
        "Novi Sad",
        "Niš",
        "Kragujevac",
        "Subotica",
        "Čačak",
        "Kraljevo",
        "Zrenjanin",
    )
    events: list[TrainingEvent] = []
    for index, town in enumerate(towns):
        start = date(2020, 2, 10) + timedelta(days=index * 30)
        event = services.event_create(
            actor=actor,
            code=f"li-basic-2020-{index + 1}",
            title="Препознавање трговине људима ради радне експлоатације и упућивање жртава",
            kind=EventKind.SEMINAR if index % 3 else EventKind.MULTIDISCIPLINARY,
            start=start,
            end=start + timedelta(days=1),
            place=town,
            organiser=ctx.agencies["coe"],
            trainers="АСТРА; Инспекторат за рад; Центар за заштиту жртава трговине људима",
            agenda="Индикатори радне експлоатације; упитник за скрининг; упућивање Центру; "
            "студије случаја; сарадња са полицијом.",
        )
        events.append(event)
    inspectors = [
        _trainee(ctx, actor, "li", n, Profession.LABOUR_INSPECTOR, labour)
        for n in range(1, INSPECTORS_TRAINED + 1)
    ]
    for index, event in enumerate(events):
        group = inspectors[index :: len(events)]
        # Some inspectors come back to a later seminar: they still count once in coverage.
        repeaters = inspectors[:3] if index == len(events) - 1 else []
        guests = [
            _trainee(
                ctx, actor, f"pol{index}", n, Profession.POLICE_OFFICER, ctx.agencies["police_bg"]
            )
            for n in range(1, 4)
        ]
        services.attendance_record(actor=actor, event=event, trainees=group + repeaters + guests)
    population = services.population_create(
        actor=actor,
        code="labour_inspectors",
        name="Labour inspectors in Serbia",
        name_sr="Инспектори рада у Србији",
        profession=Profession.LABOUR_INSPECTOR,
        qualifying_events=events,
    )
    services.headcount_record(
        actor=actor,
        population=population,
        on=date(2020, 1, 1),
        headcount=INSPECTORS_HEADCOUNT,
        source="Систематизација радних места Инспектората за рад",
    )
    ctx.say(f"    labour inspectors: {INSPECTORS_TRAINED} of {INSPECTORS_HEADCOUNT} trained")


def _shelter_and_assessment(ctx: DemoContext, actor: User) -> None:
    if NeedsAssessment.objects.filter(code="na-2020-child-victims").exists():
        return
    shelter = ctx.agencies["shelter"]
    event = services.event_create(
        actor=actor,
        code="shelter-2020-trauma",
        title="Рад уз разумевање трауме и психолошка подршка (онлајн)",
        kind=EventKind.ONLINE_CONSULTATION,
        start=date(2020, 6, 8),
        end=date(2020, 6, 10),
        place="Онлајн",
        organiser=ctx.agencies["coe"],
        trainers="Тим програма HELP",
        agenda="Траума и њене последице; стабилизација; брига запослених о себи.",
    )
    staff = [_trainee(ctx, actor, "sh", n, Profession.SHELTER_STAFF, shelter) for n in range(1, 13)]
    services.attendance_record(actor=actor, event=event, trainees=staff)
    population = services.population_create(
        actor=actor,
        code="shelter_staff",
        name="Staff of the Shelter",
        name_sr="Запослени у Прихватилишту",
        profession=Profession.SHELTER_STAFF,
        qualifying_events=[event],
    )
    services.headcount_record(actor=actor, population=population, on=date(2020, 1, 1), headcount=15)
    assessment = services.needs_assessment_create(
        actor=actor,
        code="na-2020-child-victims",
        topic="Разговор са децом жртвама и њихова заштита",
        institutions=[shelter, ctx.agencies["cptv"]],
        status="in_progress",
        started_on=date(2020, 9, 1),
    )
    services.needs_assessment_update(
        actor=actor,
        assessment=assessment,
        expected_version=assessment.version,
        status="in_progress",
        findings="Запослени траже технике разговора прилагођене деци и смернице о старатељима.",
        follow_up_events=[event],
    )


def _curriculum(ctx: DemoContext, actor: User) -> None:
    if Curriculum.objects.filter(code="child-trafficking-schools").exists():
        return
    services.curriculum_create(
        actor=actor,
        code="child-trafficking-schools",
        topic="Трговина децом: превенција и препознавање у школама",
        partner=ctx.agencies["education"],
        target_group="educators",
        status="prepared",
        trainings_start=date(2020, 11, 1),
    )
    if not TargetPopulation.objects.filter(code="educators").exists():
        services.population_create(
            actor=actor,
            code="educators",
            name="Educational professionals",
            name_sr="Просветни радници",
            profession=Profession.EDUCATOR,
        )


def _current_work(ctx: DemoContext, actor: User, course: Course) -> None:
    """The trainer's work of today, dated relative to the day the demo is seeded (the action's
    2019–2022 trainings above keep their dates): a HELP cohort running now, one that ended last
    month whose completion report is still to import, a seminar next week with no attendance
    list yet, and one held last week whose attendance is still to record."""
    if TrainingEvent.objects.filter(code="demo-current-seminar").exists():
        return
    today = timezone.localdate()
    services.cohort_create(
        actor=actor,
        course=course,
        code="help-current-social-workers",
        title="HELP курс за социјалне раднике",
        target_group="mixed",
        start=today - timedelta(days=20),
        end=today + timedelta(days=40),
        organiser=ctx.agencies["judicial_academy"],
    )
    ended = services.cohort_create(
        actor=actor,
        course=course,
        code="help-current-prosecutors",
        title="HELP курс за заменике јавних тужилаца",
        target_group="judges_prosecutors",
        start=today - timedelta(days=75),
        end=today - timedelta(days=12),
        organiser=ctx.agencies["judicial_academy"],
    )
    for number in range(1, 6):
        trainee = _trainee(ctx, actor, "dp", number, Profession.PROSECUTOR)
        services.enrolment_create(actor=actor, cohort=ended, trainee=trainee)
    services.event_create(
        actor=actor,
        code="demo-current-seminar",
        title="Семинар: препознавање радне експлоатације",
        kind="seminar",
        start=today + timedelta(days=6),
        end=today + timedelta(days=7),
        organiser=ctx.agencies["judicial_academy"],
        place="Beograd",
    )
    services.event_create(
        actor=actor,
        code="demo-current-consultation",
        title="Онлајн консултација: деца жртве трговине људима",
        kind="online_consultation",
        start=today - timedelta(days=8),
        end=today - timedelta(days=8),
        organiser=ctx.agencies["judicial_academy"],
    )
    ctx.say("    current work: 2 cohorts, 2 events dated from today")


def seed(ctx: DemoContext) -> None:
    actor = ctx.users["marija"]
    course = _help_course(ctx, actor)
    _law_students(ctx, actor, course)
    _judges_prosecutors(ctx, actor, course)
    _labour_inspectors(ctx, actor)
    _shelter_and_assessment(ctx, actor)
    _curriculum(ctx, actor)
    _current_work(ctx, actor, course)
