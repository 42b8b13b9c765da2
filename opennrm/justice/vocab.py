"""Value sets of the justice app."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from opennrm.justice import stages


class Stage(models.TextChoices):
    PRE_INVESTIGATION = stages.PRE_INVESTIGATION, _("Pre-investigation")
    INVESTIGATION = stages.INVESTIGATION, _("Investigation")
    INDICTMENT = stages.INDICTMENT, _("Indictment")
    FIRST_INSTANCE = stages.FIRST_INSTANCE, _("First-instance trial")
    APPEAL = stages.APPEAL, _("Appeal")
    FINAL = stages.FINAL, _("Final judgment")


class ProceedingStatus(models.TextChoices):
    ACTIVE = "active", pgettext_lazy("proceeding status", "Active")
    DISMISSED = "dismissed", _("Dismissed")
    DISCONTINUED = "discontinued", _("Discontinued")
    CONCLUDED = "concluded", _("Concluded by final judgment")


class Outcome(models.TextChoices):
    PENDING = "pending", _("Pending")
    CONVICTED = "convicted", _("Convicted")
    ACQUITTED = "acquitted", _("Acquitted")
    DISMISSED = "dismissed", _("Charges dismissed")


class Sex(models.TextChoices):
    FEMALE = "female", _("Female")
    MALE = "male", _("Male")
    UNKNOWN = "unknown", _("Unknown")


class VictimRole(models.TextChoices):
    INJURED_PARTY = "injured_party", _("Injured party")
    WITNESS = "witness", _("Witness")
    INJURED_PARTY_WITNESS = "injured_party_witness", _("Injured party and witness")


class ProtectiveMeasure(models.TextChoices):
    """Art. 28 and the Criminal Procedure Code's measures for vulnerable witnesses."""

    WITHOUT_DEFENDANT = "without_defendant", _("Testimony without the defendant present")
    VIDEO_LINK = "video_link", _("Testimony by video link")
    ANONYMISED = "anonymised", _("Anonymised (protected) witness")
    CLOSED_HEARING = "closed_hearing", _("Public excluded from the hearing")
    SUPPORT_PERSON = "support_person", _("Accompanied by a support person")
    SINGLE_INTERVIEW = "single_interview", _("Questioned once only (child)")


class CompensationSource(models.TextChoices):
    PERPETRATOR = "perpetrator", _("From the perpetrator")
    STATE_FUND = "state_fund", _("From a state fund")


class HearingKind(models.TextChoices):
    HEARING = "hearing", _("Main hearing")
    PRELIMINARY = "preliminary", _("Preliminary hearing")
    TESTIMONY = "testimony", _("Victim's testimony")
    SENTENCING = "sentencing", _("Pronouncement of the judgment")
    APPEAL = "appeal", _("Appeal session")
