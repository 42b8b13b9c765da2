"""Value sets for cases: HTCDS 2.0 vocabularies (UNMigration/HTCDS, Field Standards 2.0) and the
NRM's own lists, as TextChoices.

HTCDS sets keep the standard's own value names (``ForcedLabour``, ``DebtBondage``) as stored
values, so an HTCDS export needs no mapping table. ``TypeOfExploitation`` adds
``ForcedCriminality`` (HTCDS issue #28), which Serbia reports separately; ``ForcedBegging`` is
already in the standard.
"""

from __future__ import annotations

import difflib
from collections.abc import Sequence

from django.db import models
from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from opennrm.core.translit import fold


class Gender(models.TextChoices):
    """HTCDS ``prs_Gender``."""

    FEMININE = "Feminine", _("Female")
    MASCULINE = "Masculine", _("Male")
    TRANSGENDER_FEMININE = "TransgenderFeminine", _("Transgender female")
    TRANSGENDER_MASCULINE = "TransgenderMasculine", _("Transgender male")
    NON_CONFORMING = "NonConforming", _("Gender non-conforming")
    UNKNOWN = "NonSpecifiedUnknown", _("Not specified or unknown")


class MethodOfRecruitment(models.TextChoices):
    """HTCDS ``vic_MethodOfRecruitment``."""

    PLACE_OF_BUSINESS = "AtAPlaceOfBusiness", _("At a place of business")
    EDUCATIONAL_INSTITUTION = "AtAnEducationalInstitution", _("At an educational institution")
    AT_WORK = "AtWork", _("At work")
    ONLINE_SOCIAL_NETWORKS = "ThroughOnlineSocialNetworks", _("Through online social networks")
    ONLINE_ADVERTISEMENT = "ThroughAnOnlineAdvertisement", _("Through an online advertisement")
    TELEVISION_ADVERT = "ThroughATelevisionAdvert", _("Through a television advert")
    NEWSPAPER_ADVERT = "ThroughANewspaperAdvert", _("Through a newspaper advert")
    FAMILY = "ThroughFamilyOrFamilyEvents", _("Through family or family events")
    FRIENDS = "ThroughFriendsOrSocialEvents", _("Through friends or social events")
    OTHER = "Other", _("Other")


class MethodOfControl(models.TextChoices):
    """HTCDS ``vic_MethodsOfControl`` (several per case)."""

    PHYSICAL_THREATS = "PhysicalThreats", _("Threats of physical harm")
    THREATS_LAW_ENFORCEMENT = "ThreatsLawEnforcement", _("Threats of reporting to authorities")
    THREATENS_FAMILY = "ThreatensChildrenFamily", _("Threats against children or family")
    DEBT_BONDAGE = "DebtBondage", _("Debt bondage")
    FALSE_PROMISES = "FalsePromises", _("False promises")
    PHYSICAL_ABUSE = "PhysicalAbuse", _("Physical abuse")
    SEXUAL_ABUSE = "SexualAbuse", _("Sexual abuse")
    TAKES_EARNINGS = "TakesEarnings", _("Takes earnings")
    RESTRICTS_FINANCIAL_ACCESS = "RestrictsFinancialAccess", _("Restricts access to money")
    RESTRICTS_MEDICAL_CARE = "RestrictsMedicalCare", _("Restricts medical care")
    WITHHOLDS_NECESSITIES = "WithholdsNecessities", _("Withholds necessities")
    PSYCHOLOGICAL_ABUSE = "PsychologicalAbuse", _("Psychological abuse")
    PSYCHOACTIVE_SUBSTANCE = "PsychoactiveSubstance", _("Forced use of psychoactive substances")
    EXCESSIVE_WORKING_HOURS = "ExcessiveWorkingHours", _("Excessive working hours")
    WITHHOLDS_DOCUMENTS = "WithholdsDocuments", _("Withholds documents")
    OTHER = "Other", _("Other")


class TypeOfExploitation(models.TextChoices):
    """HTCDS ``vic_TypeOfExploitation`` plus ``ForcedCriminality`` (several per case)."""

    FORCED_LABOUR = "ForcedLabour", _("Forced labour")
    SEXUAL_EXPLOITATION = "SexualExploitation", _("Sexual exploitation")
    CHILD_LABOUR = "ChildLabour", _("Child labour")
    FORCED_MARRIAGE = "ForcedMarriage", _("Forced marriage")
    SERVITUDE = "Servitude", _("Servitude")
    FORCED_MILITARY = "ForcedMilitaryByNonStateActors", _("Forced military service")
    ORGAN_REMOVAL = "OrganRemoval", _("Removal of organs")
    FORCED_BEGGING = "ForcedBegging", _("Forced begging")
    FORCED_CRIMINALITY = "ForcedCriminality", _("Forced criminality")
    FORCED_ADOPTION = "ForcedAdoption", _("Forced adoption")
    SURROGACY = "Surrogacy", _("Surrogacy")
    OTHER = "Other", _("Other")


class DecisionMakingOrg(models.TextChoices):
    """HTCDS ``vic_TraffickingStatusDecisionMakingOrg``."""

    POLICE = "Police", _("Police")
    NGO = "NGO", _("Non-governmental organisation")
    COURT_OR_PROSECUTION = "CourtOrProsecution", _("Court or prosecution")
    NON_POLICE_GOVERNMENT = (
        "NonPoliceGovernmentalOrganization",
        _("Non-police governmental organisation"),
    )
    OTHER = "Other", _("Other")


class ServiceType(models.TextChoices):
    """Protection services (Convention Art. 12); ``HTCDS_SUPPORT_TYPE`` maps them to ``spl_Type``."""

    SHELTER = "shelter", _("Shelter placement")
    MEDICAL = "medical", _("Medical care")
    PSYCHOLOGICAL = "psychological", _("Psychological support")
    LEGAL_AID = "legal_aid", _("Legal aid")
    INTERPRETATION = "interpretation", _("Interpretation")
    EDUCATION = "education", _("Education")
    EMPLOYMENT = "employment_reintegration", _("Employment and reintegration")
    FINANCIAL = "financial", _("Financial assistance")
    LIVELIHOOD = "livelihood", _("Livelihood")
    RIGHTS_TRAINING = "rights_based_training", _("Rights-based training")
    LABOUR_REHABILITATION = "labour_rehabilitation", _("Rehabilitation after labour exploitation")
    SEXUAL_REHABILITATION = "sexual_rehabilitation", _("Rehabilitation after sexual exploitation")
    SOCIAL_CARE = "social_care", _("Social care")


HTCDS_SUPPORT_TYPE: dict[str, str] = {
    ServiceType.SHELTER: "SocialCare",
    ServiceType.MEDICAL: "Health",
    ServiceType.PSYCHOLOGICAL: "Health",
    ServiceType.LEGAL_AID: "Legal",
    ServiceType.INTERPRETATION: "Legal",
    ServiceType.EDUCATION: "Education",
    ServiceType.EMPLOYMENT: "Livelihood",
    ServiceType.FINANCIAL: "Financial",
    ServiceType.LIVELIHOOD: "Livelihood",
    ServiceType.RIGHTS_TRAINING: "RightsBasedTraining",
    ServiceType.LABOUR_REHABILITATION: "LabourExploitationRehabilitation",
    ServiceType.SEXUAL_REHABILITATION: "SexualExploitationRehabilitation",
    ServiceType.SOCIAL_CARE: "SocialCare",
}


class CaseStatus(models.TextChoices):
    """The states of ``workflow.py`` (same values), with their labels."""

    REFERRED = "referred", _("Referred")
    UNDER_ASSESSMENT = "under_assessment", _("Under assessment")
    PRESUMED_VICTIM = "presumed_victim", _("Presumed victim")
    IDENTIFIED = "identified", _("Identified victim")
    NOT_IDENTIFIED = "not_identified", _("Not identified")
    IN_PROTECTION = "in_protection", _("In protection")
    CLOSED = "closed", _("Closed")
    REOPENED = "reopened", _("Reopened")


class ReferralStatus(models.TextChoices):
    SENT = "sent", _("Sent")
    ACKNOWLEDGED = "acknowledged", _("Acknowledged")
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined")


class ReferralConsent(models.TextChoices):
    GIVEN = "given", _("Consent given")
    NOT_NEEDED_CHILD = "not_needed_child", _("Not needed: the person is a child")


class ConsentScope(models.TextChoices):
    REFERRAL = "referral", _("Referral to the identification centre")
    SERVICES = "services", _("Sharing with service providers")
    LAW_ENFORCEMENT = "law_enforcement", _("Sharing with police and prosecution")
    RESEARCH = "research", _("Research use of non-identifying data")
    TRANSNATIONAL = "transnational", _("Transfer to another country's referral mechanism")


class ConsentStatus(models.TextChoices):
    GIVEN = "given", pgettext_lazy("consent status", "Given")
    WITHDRAWN = "withdrawn", pgettext_lazy("consent status", "Withdrawn")


class IdentificationOutcome(models.TextChoices):
    IDENTIFIED = "identified", _("Identified as a victim")
    NOT_IDENTIFIED = "not_identified", _("Not identified as a victim")


class PermitType(models.TextChoices):
    """Convention Art. 14(1): (a) personal situation, (b) co-operation with the authorities."""

    PERSONAL_SITUATION = "personal_situation", _("Personal situation (Art. 14(1)(a))")
    COOPERATION = "cooperation", _("Co-operation with the authorities (Art. 14(1)(b))")


class PermitStatus(models.TextChoices):
    APPLIED = "applied", _("Applied for")
    GRANTED = "granted", _("Granted")
    REFUSED = "refused", _("Refused")
    RENEWED = "renewed", _("Renewed")


class ServiceStatus(models.TextChoices):
    REQUESTED = "requested", _("Requested")
    ACCEPTED = "accepted", _("Accepted")
    IN_PROGRESS = "in_progress", _("In progress")
    COMPLETED = "completed", _("Completed")
    DECLINED = "declined", _("Declined")


# The steps a provider takes on a service request: the states each may be taken from and the state
# it leads to. The one table the service (``services.service_request_respond``), the pages and the
# field app read, so a step is offered only when the workflow allows it: a service starts once
# the request is accepted, never straight from "requested" (issue 20).
SERVICE_STEPS: dict[str, tuple[tuple[str, ...], str]] = {
    "accept": ((ServiceStatus.REQUESTED,), ServiceStatus.ACCEPTED),
    "decline": ((ServiceStatus.REQUESTED,), ServiceStatus.DECLINED),
    "start": ((ServiceStatus.ACCEPTED,), ServiceStatus.IN_PROGRESS),
    "complete": ((ServiceStatus.ACCEPTED, ServiceStatus.IN_PROGRESS), ServiceStatus.COMPLETED),
}


def service_steps_from(status: str) -> list[str]:
    """The steps allowed on a service request in ``status``, in the order of ``SERVICE_STEPS``."""
    return [step for step, (sources, _target) in SERVICE_STEPS.items() if status in sources]


class TraffickingScope(models.TextChoices):
    INTERNAL = "internal", _("Internal (within the country)")
    TRANSNATIONAL = "transnational", _("Transnational")
    UNKNOWN = "unknown", _("Unknown")


class RiskLevel(models.TextChoices):
    LOW = "low", _("Low")
    MEDIUM = "medium", _("Medium")
    HIGH = "high", _("High")


class ClosureReason(models.TextChoices):
    """HTCDS ``cas_ReasonForCaseClosure`` is free text; these are the NRM's recorded reasons."""

    RECOVERED = "recovered", _("Recovery and reintegration achieved")
    NOT_IDENTIFIED = "not_identified", _("Not identified as a victim")
    DECLINED_ASSISTANCE = "declined_assistance", _("The person declined assistance")
    LOST_CONTACT = "lost_contact", _("Contact lost")
    RETURNED = "returned", _("Returned to the country of origin")
    TRANSFERRED = "transferred", _("Transferred to another agency or country")
    DECEASED = "deceased", _("Deceased")
    OTHER = "other", _("Other")


class NoteSensitivity(models.IntegerChoices):
    """Who may read a note: providers see level 1 only; level 3 only its author and the caseworker."""

    SHARED = 1, _("Shared with assigned service providers")
    CASE_TEAM = 2, _("Case management only")
    RESTRICTED = 3, _("Restricted: author and caseworker only")


class ShelterExitReason(models.TextChoices):
    MOVED_ON = "moved_on", _("Moved to independent living")
    FAMILY = "family", _("Returned to family")
    TRANSFERRED = "transferred", _("Transferred to another shelter")
    LEFT = "left", _("Left of their own accord")
    RETURNED = "returned", _("Returned to the country of origin")
    OTHER = "other", _("Other")


# --- Vocabularies as imports read them --------------------------------------------------------
# Each is an ``opennrm.imports.spec.Vocabulary``: ``match(raw)`` gives the code a value written in
# a register stands for, ``choices()`` the codes with their labels in the active language.
# Matching folds script, case, diacritics, spaces and punctuation (``accounts.models.alias_key``),
# so Serbian is written here once, in Latin: "Prosjačenje", "PROSJACENJE" and "Просјачење" are
# one key. A value matches by its code, its label in any of the three languages, or a synonym.

_LANGUAGES = ("en", "sr", "sr-latn")
# Distinct raw texts remembered per vocabulary (its matches never change within a process).
MATCH_MEMO = 50_000


class ImportVocabulary:
    """A fixed list of codes, recognised by code, label (en, sr, sr-latn) or synonym."""

    def __init__(
        self, name: str, labels: Sequence[tuple[str, Promise | str]], synonyms: dict[str, str]
    ) -> None:
        self.name = name
        self.labels = tuple(labels)
        self.synonyms = synonyms
        self._by_key: dict[str, str] | None = None
        # A register repeats a few values on every row: each distinct text is folded once.
        self._matched: dict[str, str | None] = {}

    def _index(self) -> dict[str, str]:
        if self._by_key is None:
            by_key: dict[str, str] = {}
            for text, code in self.synonyms.items():
                by_key.setdefault(vocab_key(text), code)
            for language in _LANGUAGES:
                with translation.override(language):
                    for code, label in self.labels:
                        by_key.setdefault(vocab_key(str(label)), code)
            for code, _label in self.labels:
                by_key[vocab_key(code)] = code  # a code always means itself
            self._by_key = by_key
        return self._by_key

    def match(self, raw: str) -> str | None:
        try:
            return self._matched[raw]
        except KeyError:
            pass
        found = self._index().get(vocab_key(raw)) if raw.strip() else None
        if len(self._matched) < MATCH_MEMO:  # bounded: the vocabularies live as long as a process
            self._matched[raw] = found
        return found

    def choices(self) -> list[tuple[str, str]]:
        return [(code, str(label)) for code, label in self.labels]

    def label(self, code: str) -> str:
        return next((str(label) for c, label in self.labels if c == code), code)

    def closest(self, raw: str, count: int = 3) -> list[str]:
        """The allowed values most like ``raw`` (for an error message), as "label (code)"."""
        keys = self._index()
        near = difflib.get_close_matches(vocab_key(raw), list(keys), n=count * 3, cutoff=0.6)
        found: list[str] = []
        for key in near:
            shown = f"{self.label(keys[key])} ({keys[key]})"
            if shown not in found:
                found.append(shown)
        return found[:count]


def vocab_key(text: str) -> str:
    """A value as vocabularies compare it: Latin, lower case, no diacritics, spaces, punctuation."""
    return fold(text.replace("&", " and ")).replace(" ", "")


GENDER = ImportVocabulary(
    "cases.gender",
    Gender.choices,
    {
        "F": Gender.FEMININE,
        "Female": Gender.FEMININE,
        "Woman": Gender.FEMININE,
        "Ž": Gender.FEMININE,
        "Ženski": Gender.FEMININE,
        "Žensko": Gender.FEMININE,
        "Žena": Gender.FEMININE,
        "Ženski pol": Gender.FEMININE,
        "M": Gender.MASCULINE,
        "Male": Gender.MASCULINE,
        "Man": Gender.MASCULINE,
        "Muški": Gender.MASCULINE,
        "Muško": Gender.MASCULINE,
        "Muškarac": Gender.MASCULINE,
        "Muški pol": Gender.MASCULINE,
        "Trans/Transgender/NonConforming": Gender.NON_CONFORMING,
        "Unknown": Gender.UNKNOWN,
        "Nepoznat": Gender.UNKNOWN,
        "Nepoznato": Gender.UNKNOWN,
    },
)


class TraffickingStatus(models.TextChoices):
    """HTCDS ``vic_TraffickingStatus``; the import maps it onto the NRM's states."""

    POSSIBLE = "PossibleVictimOfTrafficking", _("Possible victim of trafficking")
    ACTUAL = "ActualVictimOfTrafficking", _("Actual victim of trafficking")
    NOT_A_VICTIM = "NotAVictimOfTrafficking", _("Not a victim of trafficking")


TRAFFICKING_STATUS = ImportVocabulary(
    "cases.trafficking_status",
    TraffickingStatus.choices,
    {
        "Possible victim": TraffickingStatus.POSSIBLE,
        "Presumed victim": TraffickingStatus.POSSIBLE,
        "Pretpostavljena žrtva": TraffickingStatus.POSSIBLE,
        "Potencijalna žrtva": TraffickingStatus.POSSIBLE,
        "Moguća žrtva": TraffickingStatus.POSSIBLE,
        "Actual victim": TraffickingStatus.ACTUAL,
        "Identified victim": TraffickingStatus.ACTUAL,
        "Identified": TraffickingStatus.ACTUAL,
        "Identifikovana žrtva": TraffickingStatus.ACTUAL,
        "Identifikovana": TraffickingStatus.ACTUAL,
        "Identifikovan": TraffickingStatus.ACTUAL,
        "Žrtva trgovine ljudima": TraffickingStatus.ACTUAL,
        "Not a victim": TraffickingStatus.NOT_A_VICTIM,
        "Not identified": TraffickingStatus.NOT_A_VICTIM,
        "Nije žrtva": TraffickingStatus.NOT_A_VICTIM,
        "Nije identifikovana": TraffickingStatus.NOT_A_VICTIM,
        "Nije identifikovan": TraffickingStatus.NOT_A_VICTIM,
    },
)


class HtcdsCaseStatus(models.TextChoices):
    """HTCDS ``cas_Status``: whether the agency's case is open (Active, FollowUp) or closed."""

    ACTIVE = "Active", pgettext_lazy("case status", "Active")
    FOLLOW_UP = "FollowUp", _("Follow-up")
    CLOSED = "Closed", _("Closed")
    CLOSED_REFERRED = "ClosedReferred", _("Closed and referred")


HTCDS_CASE_OPEN: dict[str, bool] = {
    HtcdsCaseStatus.ACTIVE: True,
    HtcdsCaseStatus.FOLLOW_UP: True,
    HtcdsCaseStatus.CLOSED: False,
    HtcdsCaseStatus.CLOSED_REFERRED: False,
}

CASE_STATUS = ImportVocabulary(
    "cases.case_status",
    HtcdsCaseStatus.choices,
    {
        "Open": HtcdsCaseStatus.ACTIVE,
        "Aktivan": HtcdsCaseStatus.ACTIVE,
        "Aktivno": HtcdsCaseStatus.ACTIVE,
        "Otvoren": HtcdsCaseStatus.ACTIVE,
        "U toku": HtcdsCaseStatus.ACTIVE,
        "Follow up": HtcdsCaseStatus.FOLLOW_UP,
        "Praćenje": HtcdsCaseStatus.FOLLOW_UP,
        "Zatvoren": HtcdsCaseStatus.CLOSED,
        "Zatvoreno": HtcdsCaseStatus.CLOSED,
        "Završen": HtcdsCaseStatus.CLOSED,
        "Closed Referred": HtcdsCaseStatus.CLOSED_REFERRED,
        "Zatvoren i upućen": HtcdsCaseStatus.CLOSED_REFERRED,
    },
)

EXPLOITATION = ImportVocabulary(
    "cases.exploitation",
    TypeOfExploitation.choices,
    {
        "Labour exploitation": TypeOfExploitation.FORCED_LABOUR,
        "Labor exploitation": TypeOfExploitation.FORCED_LABOUR,
        "Forced labor": TypeOfExploitation.FORCED_LABOUR,
        "Radna eksploatacija": TypeOfExploitation.FORCED_LABOUR,
        "Radno iskorišćavanje": TypeOfExploitation.FORCED_LABOUR,
        "Prinudni rad": TypeOfExploitation.FORCED_LABOUR,
        "Seksualna eksploatacija": TypeOfExploitation.SEXUAL_EXPLOITATION,
        "Seksualno iskorišćavanje": TypeOfExploitation.SEXUAL_EXPLOITATION,
        "Prostitucija": TypeOfExploitation.SEXUAL_EXPLOITATION,
        "Prosjačenje": TypeOfExploitation.FORCED_BEGGING,
        "Prinudno prosjačenje": TypeOfExploitation.FORCED_BEGGING,
        "Begging": TypeOfExploitation.FORCED_BEGGING,
        "Prinudni brak": TypeOfExploitation.FORCED_MARRIAGE,
        "Prinudno sklapanje braka": TypeOfExploitation.FORCED_MARRIAGE,
        "Dečiji rad": TypeOfExploitation.CHILD_LABOUR,
        "Dečji rad": TypeOfExploitation.CHILD_LABOUR,
        "Child labor": TypeOfExploitation.CHILD_LABOUR,
        "Služenje": TypeOfExploitation.SERVITUDE,
        "Organ removal": TypeOfExploitation.ORGAN_REMOVAL,
        "Uklanjanje organa": TypeOfExploitation.ORGAN_REMOVAL,
        "Trgovina organima": TypeOfExploitation.ORGAN_REMOVAL,
        "Forced military (by non-state actors)": TypeOfExploitation.FORCED_MILITARY,
        "Prinudno vršenje krivičnih dela": TypeOfExploitation.FORCED_CRIMINALITY,
        "Vršenje krivičnih dela": TypeOfExploitation.FORCED_CRIMINALITY,
        "Forced criminal activity": TypeOfExploitation.FORCED_CRIMINALITY,
        "Prinudno usvojenje": TypeOfExploitation.FORCED_ADOPTION,
        "Nezakonito usvojenje": TypeOfExploitation.FORCED_ADOPTION,
        "Surogat materinstvo": TypeOfExploitation.SURROGACY,
        "Drugo": TypeOfExploitation.OTHER,
        "Ostalo": TypeOfExploitation.OTHER,
    },
)

CONTROL = ImportVocabulary(
    "cases.means_of_control",
    MethodOfControl.choices,
    {
        "Threats of law enforcement": MethodOfControl.THREATS_LAW_ENFORCEMENT,
        "Pretnje": MethodOfControl.PHYSICAL_THREATS,
        "Pretnje fizičkim nasiljem": MethodOfControl.PHYSICAL_THREATS,
        "Dužničko ropstvo": MethodOfControl.DEBT_BONDAGE,
        "Lažna obećanja": MethodOfControl.FALSE_PROMISES,
        "Fizičko nasilje": MethodOfControl.PHYSICAL_ABUSE,
        "Seksualno nasilje": MethodOfControl.SEXUAL_ABUSE,
        "Psihičko nasilje": MethodOfControl.PSYCHOLOGICAL_ABUSE,
        "Psihološko zlostavljanje": MethodOfControl.PSYCHOLOGICAL_ABUSE,
        "Oduzimanje zarade": MethodOfControl.TAKES_EARNINGS,
        "Oduzimanje dokumenata": MethodOfControl.WITHHOLDS_DOCUMENTS,
        "Oduzimanje isprava": MethodOfControl.WITHHOLDS_DOCUMENTS,
        "Prekomerno radno vreme": MethodOfControl.EXCESSIVE_WORKING_HOURS,
        "Psihoaktivne supstance": MethodOfControl.PSYCHOACTIVE_SUBSTANCE,
        "Drugo": MethodOfControl.OTHER,
        "Ostalo": MethodOfControl.OTHER,
    },
)

RECRUITMENT = ImportVocabulary(
    "cases.recruitment",
    MethodOfRecruitment.choices,
    {
        "Preko porodice": MethodOfRecruitment.FAMILY,
        "Preko prijatelja": MethodOfRecruitment.FRIENDS,
        "Putem društvenih mreža": MethodOfRecruitment.ONLINE_SOCIAL_NETWORKS,
        "Preko društvenih mreža": MethodOfRecruitment.ONLINE_SOCIAL_NETWORKS,
        "Oglas na internetu": MethodOfRecruitment.ONLINE_ADVERTISEMENT,
        "Novinski oglas": MethodOfRecruitment.NEWSPAPER_ADVERT,
        "Na poslu": MethodOfRecruitment.AT_WORK,
        "U školi": MethodOfRecruitment.EDUCATIONAL_INSTITUTION,
        "Drugo": MethodOfRecruitment.OTHER,
        "Ostalo": MethodOfRecruitment.OTHER,
    },
)

DECISION_ORG = ImportVocabulary(
    "cases.decision_org",
    DecisionMakingOrg.choices,
    {
        "Policija": DecisionMakingOrg.POLICE,
        "MUP": DecisionMakingOrg.POLICE,
        "NVO": DecisionMakingOrg.NGO,
        "Sud": DecisionMakingOrg.COURT_OR_PROSECUTION,
        "Tužilaštvo": DecisionMakingOrg.COURT_OR_PROSECUTION,
        "Court": DecisionMakingOrg.COURT_OR_PROSECUTION,
        "Prosecution": DecisionMakingOrg.COURT_OR_PROSECUTION,
        "Centar za zaštitu žrtava trgovine ljudima": DecisionMakingOrg.NON_POLICE_GOVERNMENT,
        "CZŽTLJ": DecisionMakingOrg.NON_POLICE_GOVERNMENT,
        "Drugo": DecisionMakingOrg.OTHER,
        "Ostalo": DecisionMakingOrg.OTHER,
    },
)
