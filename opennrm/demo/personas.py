"""The demo's agencies (from shared/reference/serbia-action.md) and its personas, one per role.

The same personas serve the test suite, so an authorisation rule reads the same in a test and in
the demo: Ana screens, Vesna manages cases at the Centre, Milan runs the shelter, Jelena prosecutes,
Dragan coordinates, Sanja compiles the official statistics, and Čedomir — a police screener in another town — must see nothing of theirs.
"""

from __future__ import annotations

from dataclasses import dataclass

from opennrm.accounts.roles import AgencyType, Role


@dataclass(frozen=True)
class AgencySpec:
    key: str
    name: str
    name_sr: str
    short_name: str
    type: str
    municipality: str = "Beograd"
    short_name_sr: str = ""


@dataclass(frozen=True)
class Persona:
    username: str
    first_name: str
    last_name: str
    agency: str
    roles: tuple[str, ...]
    description: str


AGENCIES: tuple[AgencySpec, ...] = (
    AgencySpec(
        "nco",
        "National Anti-trafficking Coordination Office",
        "Канцеларија националног координатора за борбу против трговине људима",
        "NCO",
        AgencyType.COORDINATION_OFFICE,
        short_name_sr="КНК",
    ),
    AgencySpec(
        "cptv",
        "Centre for Human Trafficking Victims' Protection",
        "Центар за заштиту жртава трговине људима",
        "CPTV",
        AgencyType.IDENTIFICATION_CENTRE,
        short_name_sr="ЦЗЖТЉ",
    ),
    AgencySpec(
        "shelter",
        "Shelter for Victims of Human Trafficking",
        "Прихватилиште за жртве трговине људима",
        "Shelter",
        AgencyType.SHELTER,
        short_name_sr="Прихватилиште",
    ),
    AgencySpec(
        "labour",
        "Labour Inspectorate",
        "Инспекторат за рад",
        "LI",
        AgencyType.LABOUR_INSPECTORATE,
        short_name_sr="ИР",
    ),
    AgencySpec(
        "police_bg",
        "Ministry of Interior — Police Directorate, Belgrade",
        "Министарство унутрашњих послова — Дирекција полиције, Београд",
        "MUP BG",
        AgencyType.POLICE,
        short_name_sr="МУП БГ",
    ),
    AgencySpec(
        "police_ni",
        "Ministry of Interior — Police Administration, Niš",
        "Министарство унутрашњих послова — Полицијска управа Ниш",
        "MUP NI",
        AgencyType.POLICE,
        "Niš",
        short_name_sr="МУП НИ",
    ),
    AgencySpec(
        "csw_bg",
        "City Centre for Social Work Belgrade",
        "Градски центар за социјални рад Београд",
        "CSW BG",
        AgencyType.SOCIAL_WELFARE_CENTRE,
        short_name_sr="ГЦСР БГ",
    ),
    AgencySpec(
        "astra",
        "ASTRA — Anti Trafficking Action",
        "АСТРА — Акција против трговине људима",
        "ASTRA",
        AgencyType.CSO,
        short_name_sr="АСТРА",
    ),
    AgencySpec(
        "atina",
        "Atina — Citizens' Association for Combating Trafficking",
        "Атина — Удружење грађана за борбу против трговине људима",
        "Atina",
        AgencyType.CSO,
        short_name_sr="Атина",
    ),
    AgencySpec(
        "prosecution",
        "Higher Public Prosecutor's Office in Belgrade",
        "Више јавно тужилаштво у Београду",
        "VJT BG",
        AgencyType.PROSECUTION,
        short_name_sr="ВЈТ БГ",
    ),
    AgencySpec(
        "court",
        "Higher Court in Belgrade",
        "Виши суд у Београду",
        "VS BG",
        AgencyType.COURT,
        short_name_sr="ВС БГ",
    ),
    AgencySpec(
        "education",
        "Ministry of Education, Science and Technological Development",
        "Министарство просвете, науке и технолошког развоја",
        "MPNTR",
        AgencyType.EDUCATION,
        short_name_sr="МПНТР",
    ),
    AgencySpec(
        "health",
        "Ministry of Health",
        "Министарство здравља",
        "MZ",
        AgencyType.HEALTH,
        short_name_sr="МЗ",
    ),
    AgencySpec(
        "labour_ministry",
        "Ministry of Employment, Labour, Veteran and Social Affairs",
        "Министарство за рад, запошљавање, борачка и социјална питања",
        "MRZBSP",
        AgencyType.MINISTRY,
        short_name_sr="МРЗБСП",
    ),
    AgencySpec(
        "judicial_academy",
        "Judicial Academy",
        "Правосудна академија",
        "PA",
        AgencyType.EDUCATION,
        short_name_sr="ПА",
    ),
    AgencySpec(
        "coe",
        "Council of Europe Office in Belgrade",
        "Канцеларија Савета Европе у Београду",
        "CoE",
        AgencyType.INTERNATIONAL_ORGANISATION,
        short_name_sr="СЕ",
    ),
    AgencySpec(
        "eud",
        "Delegation of the European Union to Serbia",
        "Делегација Европске уније у Србији",
        "EUD",
        AgencyType.INTERNATIONAL_ORGANISATION,
        short_name_sr="ДЕУ",
    ),
)

PERSONAS: tuple[Persona, ...] = (
    Persona(
        "ana", "Ana", "Petrović", "labour", (Role.SCREENER,), "labour inspector who screens workers"
    ),
    Persona(
        "vesna", "Vesna", "Jovanović", "cptv", (Role.CASE_MANAGER,), "case manager at the Centre"
    ),
    Persona(
        "milan", "Milan", "Nikolić", "shelter", (Role.SERVICE_PROVIDER,), "shelter co-ordinator"
    ),
    Persona("jelena", "Jelena", "Marković", "prosecution", (Role.JUSTICE,), "public prosecutor"),
    Persona(
        "marija", "Marija", "Stojanović", "judicial_academy", (Role.TRAINER,), "HELP course trainer"
    ),
    Persona("dragan", "Dragan", "Ilić", "coe", (Role.COORDINATOR,), "project coordinator"),
    Persona(
        "nada",
        "Nada",
        "Pavlović",
        "nco",
        (Role.NATIONAL_COORDINATOR,),
        "national anti-trafficking co-ordinator",
    ),
    Persona(
        "zoran", "Zoran", "Đorđević", "labour_ministry", (Role.AUDITOR,), "data protection officer"
    ),
    Persona(
        "sanja",
        "Sanja",
        "Vuković",
        "nco",
        (Role.NATIONAL_COORDINATOR,),
        "statistician: official figures, GRETA and Eurostat reporting",
    ),
    Persona("ivan", "Ivan", "Popović", "nco", (Role.ADMIN,), "IT administrator"),
    Persona(
        "cedomir",
        "Čedomir",
        "Simić",
        "police_ni",
        (Role.SCREENER,),
        "police screener in Niš who must see nothing of others",
    ),
)

# Demo only: printed by ./dev run; never used outside DEMO_MODE or tests.
DEMO_PASSWORD = "demo-Trafika-2026"
