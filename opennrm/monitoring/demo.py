"""Demo data: the action of shared/reference/serbia-action.md, its logframe, budget, the two 2020
Steering Committee meetings, a draft October 2020 report and a few GRETA recommendations.

Live indicators point at the other apps' metrics, so their values come from those apps' demo data
(37 law students, 83% of labour inspectors). The recommendations are plausible paraphrases written
for the demo, marked as such: their paragraph "numbers" are demo labels, not GRETA's.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from opennrm.monitoring import services
from opennrm.monitoring.models import Action, ActivityStatus, RecommendationStatus
from opennrm.monitoring.services import RecommendationData

ACTION_CODE = "hf-serbia-thb"
DEMO_REPORT = "GRETA, други круг евалуације, Србија (парафраза за демо)"
DEMO_NOTE = "Демо подаци: парафраза написана за демо, није текст ни нумерација GRETA-е."

RESULTS = (
    "Improved detection and identification of, and assistance to, victims of trafficking for "
    "labour exploitation.",
    "Improved detection and identification of, and assistance to, child victims.",
    "Labour inspectors and other key anti-trafficking stakeholders involved in identifying "
    "victims and referring them to assistance and protection.",
    "Greater awareness of all actors — including the general public and the private sector — of "
    "specific vulnerabilities to trafficking and of the rights of trafficked persons.",
)

RESULTS_SR = (
    "Унапређено откривање и идентификација жртава трговине људима ради радне експлоатације и "
    "помоћ тим жртвама.",
    "Унапређено откривање и идентификација деце жртава и помоћ деци жртвама.",
    "Инспектори рада и други кључни актери у борби против трговине људима укључени у "
    "идентификацију жртава и њихово упућивање на помоћ и заштиту.",
    "Већа свест свих актера — укључујући ширу јавност и приватни сектор — о посебној рањивости на "
    "трговину људима и о правима жртава.",
)

# Definitions in Serbian (Cyrillic), by indicator code.
INDICATORS_SR = {
    "1.1": "Удео инспектора рада обучених да препознају знаке трговине људима ради радне "
    "експлоатације и да упуте жртве",
    "1.2": "Скрининзи које су спровели инспектори рада од почетка акције",
    "1.3": "Упућивања претпостављених жртава од стране инспектора рада",
    "1.4": "Идентификоване жртве принудног рада",
    "2.1": "Просветни радници обучени по наставним програмима о трговини децом",
    "2.2": "Процене потреба за разговор са децом жртвама и њихову заштиту, завршене са "
    "Прихватилиштем и Центром",
    "2.3": "Идентификована деца жртве",
    "3.1": "Студенти права који су завршили 9 модула курса HELP",
    "3.2": "Студенти права који су се пријавили за волонтирање у организацији цивилног друштва",
    "3.3": "Судије и тужиоци који су завршили курс HELP за правнике",
    "4.1": "Кампање подизања свести које на основу гранта спроводе специјализоване организације",
    "4.2": "Делимично или у потпуности спроведене препоруке GRETA",
    "4.3": "Број особа до којих су допрле кампање подизања свести",
}

# (result, code, definition, unit, baseline, target, metric)
INDICATORS = (
    (
        1,
        "1.1",
        "Share of labour inspectors trained to recognise signs of trafficking for labour "
        "exploitation and to refer victims",
        "percent",
        0,
        90,
        "training.coverage:labour_inspectors",
    ),
    (
        1,
        "1.3",
        "Referrals of presumed victims by labour inspectors",
        "count",
        0,
        20,
        "cases.referrals:labour_inspectorate",
    ),
    (
        1,
        "1.4",
        "Victims of forced labour identified",
        "count",
        0,
        15,
        "cases.identified:labour_exploitation",
    ),
    (2, "2.3", "Child victims identified", "count", 0, 10, "cases.identified:children"),
    (
        2,
        "2.1",
        "Educational professionals trained with the child-trafficking curricula",
        "people",
        0,
        150,
        "",
    ),
    (
        2,
        "2.2",
        "Needs assessments on interviewing and protecting child victims completed with "
        "the Shelter and the Centre",
        "count",
        0,
        1,
        "",
    ),
    (
        3,
        "3.1",
        "Law students who completed the 9 modules of the HELP course",
        "people",
        0,
        30,
        "training.completed:help-2020-law-students",
    ),
    (
        3,
        "3.2",
        "Law students who applied to volunteer with an anti-trafficking CSO",
        "people",
        0,
        10,
        "training.volunteers:help-2020-law-students",
    ),
    (
        3,
        "3.3",
        "Judges and prosecutors who completed the HELP course for legal professionals",
        "people",
        0,
        31,
        "training.completed:help-2020-judges-prosecutors",
    ),
    (
        1,
        "1.2",
        "Screenings by labour inspectors since the start of the action",
        "count",
        0,
        100,
        "screening.count:labour_inspectorate",
    ),
    (
        4,
        "4.1",
        "Grant-based awareness campaigns run by specialised CSOs",
        "count",
        0,
        4,
        "awareness.campaigns:grant_based",
    ),
    (4, "4.3", "People reached by awareness campaigns", "people", 0, 50000, "awareness.reach"),
    (
        4,
        "4.2",
        "GRETA recommendations partly or fully implemented",
        "percent",
        0,
        60,
        "monitoring.recommendations_implemented",
    ),
)

# (indicator code, date, value, source)
MANUAL_VALUES = (
    ("2.1", date(2020, 6, 30), 0, "Министарство просвете: обуке почињу у новембру 2020."),
    (
        "2.1",
        date(2020, 10, 31),
        0,
        "Наставни програми припремљени; прве обуке планиране за новембар 2020.",
    ),
    ("2.2", date(2020, 10, 31), 0, "Процена потреба започета са Прихватилиштем и Центром"),
)

# (result, code, title, status, start, end, responsible, outputs)
ACTIVITIES = (
    (
        1,
        "A1.1",
        "Основна обука инспектора рада о трговини људима ради радне експлоатације",
        ActivityStatus.COMPLETED,
        date(2019, 11, 1),
        date(2020, 9, 30),
        "Инспекторат за рад, СЕ",
        "обучено 83% инспектора рада",
    ),
    (
        1,
        "A1.2",
        "Смернице за инспекторе рада о упућивању Центру",
        ActivityStatus.IN_PROGRESS,
        date(2020, 6, 1),
        date(2021, 3, 31),
        "Инспекторат за рад",
        "",
    ),
    (
        2,
        "A2.1",
        "Наставни програми о трговини децом са Министарством просвете",
        ActivityStatus.COMPLETED,
        date(2020, 2, 1),
        date(2020, 10, 15),
        "МПНТР, СЕ",
        "Наставни програми припремљени",
    ),
    (
        2,
        "A2.2",
        "Процена потреба: разговор са децом жртвама и њихова заштита",
        ActivityStatus.IN_PROGRESS,
        date(2020, 9, 1),
        date(2021, 2, 28),
        "Прихватилиште, ЦЗЖТЉ",
        "",
    ),
    (
        2,
        "A2.3",
        "Онлајн обука запослених у прихватилишту о раду уз разумевање трауме",
        ActivityStatus.COMPLETED,
        date(2020, 5, 1),
        date(2020, 7, 31),
        "Прихватилиште",
        "Запослени обучени",
    ),
    (
        3,
        "A3.1",
        "Онлајн курс HELP за студенте права",
        ActivityStatus.COMPLETED,
        date(2020, 4, 1),
        date(2020, 6, 30),
        "Тим програма HELP, правни факултети",
        "37 студената завршило 9 модула",
    ),
    (
        3,
        "A3.2",
        "Онлајн курс HELP за судије и тужиоце",
        ActivityStatus.IN_PROGRESS,
        date(2020, 10, 15),
        date(2020, 12, 31),
        "Правосудна академија",
        "",
    ),
    (
        4,
        "A4.1",
        "Кампање за подизање свести о радној експлоатацији кроз грантове",
        ActivityStatus.IN_PROGRESS,
        date(2020, 3, 1),
        date(2020, 12, 31),
        "АСТРА, Атина",
        "",
    ),
    (
        4,
        "A4.2",
        "Кампање за подизање свести о трговини децом",
        ActivityStatus.PLANNED,
        date(2021, 3, 1),
        date(2021, 12, 31),
        "Организације цивилног друштва",
        "",
    ),
)

# (code, result number or None, title, amount, [(kind, amount, date, description)])
BUDGET = (
    (
        "B1",
        1,
        "Радна експлоатација: обуке и смернице",
        200_000,
        [
            ("commitment", 120_000, date(2019, 10, 15), "Уговори за обуке"),
            ("expenditure", 70_000, date(2020, 3, 31), "Обуке, прва фаза"),
            ("expenditure", 40_000, date(2020, 9, 30), "Обуке, друга фаза"),
        ],
    ),
    (
        "B2",
        2,
        "Деца жртве: наставни програми, процена потреба, обука у прихватилишту",
        180_000,
        [
            ("commitment", 90_000, date(2020, 2, 1), "Уговори са стручњацима"),
            ("expenditure", 55_000, date(2020, 9, 30), "Наставни програми и онлајн обука"),
        ],
    ),
    (
        "B3",
        3,
        "Капацитети правосуђа и других актера (HELP)",
        170_000,
        [
            ("commitment", 80_000, date(2020, 3, 15), "Ментори и платформа HELP"),
            ("expenditure", 45_000, date(2020, 6, 30), "Курс HELP за студенте права"),
        ],
    ),
    (
        "B4",
        4,
        "Подизање свести: грантови организацијама цивилног друштва",
        120_000,
        [
            ("commitment", 100_000, date(2020, 2, 15), "Два уговора о гранту"),
            ("expenditure", 60_000, date(2020, 8, 31), "Прве рате грантова"),
        ],
    ),
    (
        "B5",
        None,
        "Управљање, видљивост и евалуација",
        80_000,
        [
            ("commitment", 40_000, date(2019, 7, 1), "Пројектни тим"),
            ("expenditure", 28_000, date(2020, 6, 30), "Пројектни тим"),
        ],
    ),
)

RECOMMENDATIONS = (
    (
        "D1",
        "urges",
        "identification",
        ("LI", "MUP BG", "CPTV"),
        "Предузети даље кораке за унапређење проактивне идентификације жртава, нарочито међу "
        "радницима мигрантима, уз обучене инспекторе рада овлашћене да поступају.",
        RecommendationStatus.PARTLY,
    ),
    (
        "D2",
        "urges",
        "labour_exploitation",
        ("LI", "MRZBSP"),
        "Ојачати капацитете инспектора рада да открију трговину људима ради радне експлоатације "
        "и упуте претпостављене жртве Центру, укључујући и ризичне секторе.",
        RecommendationStatus.IN_PROGRESS,
    ),
    (
        "D3",
        "urges",
        "child_victims",
        ("CPTV", "CSW BG", "MPNTR"),
        "Унапредити идентификацију деце жртава, уз разговор прилагођен детету и хитно "
        "постављање старатеља.",
        RecommendationStatus.IN_PROGRESS,
    ),
    (
        "D4",
        "considers",
        "child_victims",
        ("MPNTR",),
        "Увести образовање о ризицима трговине људима у школске програме.",
        RecommendationStatus.PARTLY,
    ),
    (
        "D5",
        "urges",
        "compensation",
        ("VJT BG", "VS BG"),
        "Обезбедити да жртве могу делотворно да остваре накнаду штете од учинилаца у кривичном "
        "поступку и успоставити државни фонд за накнаду.",
        RecommendationStatus.NOT_STARTED,
    ),
    (
        "D6",
        "invites",
        "access_to_justice",
        ("VJT BG",),
        "Омогућити жртвама бесплатну правну помоћ и заступање од првог контакта.",
        RecommendationStatus.NOT_STARTED,
    ),
)


def seed(ctx) -> None:  # type: ignore[no-untyped-def]
    if Action.objects.filter(code=ACTION_CODE).exists():
        ctx.say("  monitoring: the action exists; nothing to do")
        return
    dragan, nada = ctx.users["dragan"], ctx.users["nada"]
    agencies = ctx.agencies
    action = services.action_create(
        actor=dragan,
        code=ACTION_CODE,
        title="Превенција и сузбијање трговине људима у Србији",
        programme="Хоризонтални механизам за Западни Балкан и Турску 2019–2022",
        programme_budget=Decimal(41_000_000),
        starts_on=date(2019, 6, 1),
        ends_on=date(2022, 5, 31),
        budget=Decimal(750_000),
        objective=(
            "Подршка Србији у спровођењу препорука GRETA-е, нарочито ради унапређења "
            "идентификације, заштите и помоћи жртвама и лицима у ризику."
        ),
        beneficiaries=(
            "Министарство унутрашњих послова (Канцеларија националног координатора за борбу "
            "против трговине људима); Министарство за рад, запошљавање, борачка и социјална питања "
            "(Инспекторат за рад; Центар за заштиту жртава трговине људима); Министарство "
            "просвете, науке и технолошког развоја; Министарство здравља; Правосудна академија; "
            "организације цивилног друштва; приватни сектор; жртве и лица у ризику, нарочито "
            "деца и жене."
        ),
        funders=[("Европска унија", Decimal(85)), ("Савет Европе", Decimal(15))],
    )
    results = {
        number: services.result_create(
            actor=dragan, action=action, number=number, title=title, title_sr=title_sr
        )
        for number, (title, title_sr) in enumerate(zip(RESULTS, RESULTS_SR, strict=True), start=1)
    }
    indicators = {}
    for number, code, definition, unit, baseline, target, metric in INDICATORS:
        indicators[code] = services.indicator_create(
            actor=dragan,
            result=results[number],
            code=code,
            definition=definition,
            unit=unit,
            baseline=Decimal(baseline),
            target=Decimal(target),
            metric=metric,
            definition_sr=INDICATORS_SR[code],
        )
    for code, measured_on, value, source in MANUAL_VALUES:
        services.indicator_value_record(
            actor=dragan,
            indicator=indicators[code],
            measured_on=measured_on,
            value=Decimal(value),
            source=source,
        )
    activities = {}
    for number, code, title, status, start, end, responsible, outputs in ACTIVITIES:
        activities[code] = services.activity_create(
            actor=dragan,
            result=results[number],
            code=code,
            title=title,
            status=status,
            starts_on=start,
            ends_on=end,
            responsible=responsible,
            outputs=outputs,
        )
    for line_code, line_result, line_title, amount, bookings in BUDGET:
        line = services.budget_line_create(
            actor=dragan,
            action=action,
            code=line_code,
            title=line_title,
            amount=Decimal(amount),
            result=results[line_result] if line_result else None,
        )
        for kind, value, booked_on, description in bookings:
            services.spending_record(
                actor=dragan,
                budget_line=line,
                kind=kind,
                amount=Decimal(value),
                booked_on=booked_on,
                description=description,
            )
    by_short = {a.short_name: a for a in agencies.values()}
    links = {
        "D1": ("A1.1", "1.1"),
        "D2": ("A1.2", "1.1"),
        "D3": ("A2.2", "2.2"),
        "D4": ("A2.1", "2.1"),
    }
    for paragraph, strength, theme, agency_names, text, rec_status in RECOMMENDATIONS:
        activity_code, indicator_code = links.get(paragraph, ("", ""))
        services.recommendation_create(
            actor=dragan,
            data=RecommendationData(
                round=2,
                report=DEMO_REPORT,
                paragraph=paragraph,
                text=text,
                strength=strength,
                theme=theme,
                status=rec_status,
                note=DEMO_NOTE,
                responsible=tuple(by_short[name] for name in agency_names),
            ),
            activities=[activities[activity_code]] if activity_code else [],
            indicators=[indicators[indicator_code]] if indicator_code else [],
        )
    participants = [
        agencies[k]
        for k in (
            "nco",
            "cptv",
            "labour",
            "shelter",
            "astra",
            "atina",
            "eud",
            "coe",
            "judicial_academy",
            "education",
        )
    ]
    february = services.meeting_create(
        actor=dragan,
        action=action,
        held_on=date(2020, 2, 20),
        place="Београд",
        title="Састанак Управног одбора, фебруар 2020.",
        participant_agencies=participants,
        participants="Национални координатор; Делегација ЕУ; Одељење Савета Европе за сарадњу у "
        "борби против трговине људима",
        agenda="1. Почетна фаза и план рада за 2020.\n2. Обуке инспектора рада\n"
        "3. Курс HELP за студенте права",
        minutes="Одбор је усвојио план рада за 2020. (Демо: дан у месецу је само илустрација.)",
    )
    for text in (
        "План рада за 2020. је усвојен.",
        "Курс HELP о трговини људима нуди се студентима права у пролеће 2020.",
    ):
        services.decision_add(actor=dragan, meeting=february, text=text)
    done = services.follow_up_create(
        actor=dragan,
        meeting=february,
        owner=dragan,
        due_on=date(2020, 4, 1),
        text="Усагласити списак правних факултета који учествују у курсу HELP.",
    )
    services.follow_up_complete(actor=dragan, follow_up=done, expected_version=done.version)
    october = services.meeting_create(
        actor=dragan,
        action=action,
        held_on=date(2020, 10, 23),
        place="Београд",
        title="Састанак Управног одбора, 23. октобар 2020.",
        participant_agencies=participants,
        participants="Национални координатор за борбу против трговине људима; Делегација ЕУ; "
        "Одељење Савета Европе за сарадњу у борби против трговине људима; цивилно друштво",
        agenda="1. Резултати у 2020. (COVID-19)\n2. Приоритети: проактивна идентификација, "
        "кривичноправни одговор, трговина децом, накнада штете\n3. Планови за 2021.",
        minutes="Резултати су приказани за период обележен пандемијом COVID-19. Истакнути "
        "приоритети: целовит, проактиван приступ идентификацији, упућивању и заштити жртава; "
        "снажнији кривичноправни одговор; превенција трговине децом; приступ правном "
        "заступању, правди и накнади штете.",
    )
    for text in (
        "Обуке просветних радника почињу у новембру 2020.",
        "Кампање о трговини децом припремају се за 2021.",
        "Процена потреба са Прихватилиштем и Центром завршава се до фебруара 2021.",
    ):
        services.decision_add(actor=dragan, meeting=october, text=text)
    for owner, due_on, text in (
        (nada, date(2020, 12, 15), "Послати план рада за 2021. члановима Одбора."),
        (dragan, date(2021, 2, 28), "Представити Одбору налазе процене потреба."),
        (
            dragan,
            date(2020, 11, 30),
            "Потврдити са Министарством просвете распоред обука за просветне раднике.",
        ),
    ):
        services.follow_up_create(
            actor=dragan, meeting=october, owner=owner, due_on=due_on, text=text
        )
    services.meeting_create(
        actor=dragan,
        action=action,
        held_on=date(2026, 12, 10),
        place="Београд",
        title="Састанак Управног одбора (планиран, демо)",
        participant_agencies=participants,
        agenda="Разматрање извештаја о напретку",
    )
    services.report_create(
        actor=dragan,
        action=action,
        period_start=date(2020, 1, 1),
        period_end=date(2020, 10, 31),
        title="Извештај о напретку јануар–октобар 2020.",
        summary="Упркос пандемији COVID-19, обуке су пребачене на интернет: студенти права "
        "завршили су курс HELP, а већина инспектора рада прошла је основну обуку.",
        challenges="Мере против COVID-19 одложиле су обуке уживо; активности су пребачене на интернет.",
        next_steps="Обуке просветних радника од новембра 2020; кампање о трговини децом у 2021.",
    )
    ctx.say("  monitoring: action, logframe, budget, 2 meetings, 6 recommendations, 1 report")
