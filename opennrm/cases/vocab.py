"""Value sets for cases: HTCDS 2.0 vocabularies (UNMigration/HTCDS, Field Standards 2.0) and the
NRM's own lists, as TextChoices.

HTCDS sets keep the standard's own value names (``ForcedLabour``, ``DebtBondage``) as stored
values, so an HTCDS export needs no mapping table. ``TypeOfExploitation`` adds
``ForcedCriminality`` (HTCDS issue #28), which Serbia reports separately; ``ForcedBegging`` is
already in the standard.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


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


class ConsentStatus(models.TextChoices):
    GIVEN = "given", _("Given")
    WITHDRAWN = "withdrawn", _("Withdrawn")


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
