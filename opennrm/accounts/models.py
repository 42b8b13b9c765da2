"""Agencies, users and their roles, API tokens, break-the-glass grants."""

from __future__ import annotations

from functools import cached_property

from django.contrib.auth.models import AbstractUser
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from opennrm.accounts.roles import PERSONAL_DATA_ROLES, ROLE_ACTIONS, AgencyType, Role
from opennrm.core.fields import SHORT_TEXT, EncryptedTextField
from opennrm.core.models import TimeStampedModel, VersionedModel
from opennrm.core.translit import fold, to_latin


def alias_key(text: str) -> str:
    """An agency alias as imports compare it: Latin script, lower case, no diacritics, no spaces
    or punctuation ("CSR Beograd", "ЦСР Београд" and "csr-beograd" are one key)."""
    return fold(text).replace(" ", "")


class Agency(VersionedModel):
    name = models.CharField(_("name (English)"), max_length=200, unique=True)
    name_sr = models.CharField(_("name (Serbian Cyrillic)"), max_length=200, blank=True)
    short_name = models.CharField(_("short name"), max_length=40, blank=True)
    short_name_sr = models.CharField(_("short name (Serbian Cyrillic)"), max_length=40, blank=True)
    type = models.CharField(_("type"), max_length=40, choices=AgencyType.choices)
    municipality = models.CharField(_("municipality"), max_length=100, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("agency")
        verbose_name_plural = _("agencies")
        ordering = ["name"]

    def __str__(self) -> str:
        """The name in the active language: a form's list of agencies and ``{{ agency }}`` in a
        template read as the interface does."""
        return self.display_name

    @property
    def audit_label(self) -> str:
        return f"agency {self.short_name or self.name}"

    def localized_name(self, language: str) -> str:
        """The name in ``en``, ``sr`` (Cyrillic) or ``sr-latn`` (transliterated from Cyrillic)."""
        if language == "sr" and self.name_sr:
            return self.name_sr
        if language == "sr-latn" and self.name_sr:
            return to_latin(self.name_sr)
        return self.name

    def localized_short_name(self, language: str) -> str:
        """The short name in ``language``; the full name where there is none in that language
        (an English short name such as "Shelter" is not shown in the Serbian interface)."""
        if language in ("sr", "sr-latn"):
            if self.short_name_sr:
                return self.short_name_sr if language == "sr" else to_latin(self.short_name_sr)
            if self.name_sr:
                return self.localized_name(language)
        return self.short_name or self.localized_name(language)

    @property
    def display_name(self) -> str:
        return self.localized_name(get_language() or "en")

    @property
    def display_short_name(self) -> str:
        return self.localized_short_name(get_language() or "en")


class User(AbstractUser):
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="users", null=True)
    # Bumped whenever the user's access changes; sessions carrying an older epoch end at once.
    auth_epoch = models.PositiveIntegerField(default=1, editable=False)
    version = models.PositiveIntegerField(default=1, editable=False)
    # A machine client: no password, no sign-in, API tokens only, never a personal-data role.
    is_service_account = models.BooleanField(_("service account"), default=False)

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ["username"]

    @property
    def audit_label(self) -> str:
        return f"user {self.username}"

    @cached_property
    def roles(self) -> frozenset[str]:
        if not self.pk or not self.is_active:
            return frozenset()
        return frozenset(self.role_assignments.values_list("role", flat=True))

    @cached_property
    def actions(self) -> frozenset[str]:
        granted: set[str] = set()
        roles = self.roles
        if Role.ADMIN in roles:
            # Administration is not access to victims (DESIGN §1): an administrator's account
            # never acts through a personal-data role, even one assigned before that rule existed.
            roles = roles - PERSONAL_DATA_ROLES
        for role in roles:
            granted |= ROLE_ACTIONS.get(role, frozenset())
        return frozenset(granted)

    def has_role(self, role: str) -> bool:
        return role in self.roles

    def forget_roles(self) -> None:
        for name in ("roles", "actions"):
            self.__dict__.pop(name, None)


class RoleAssignment(models.Model):
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="role_assignments")
    role = models.CharField(max_length=40, choices=Role.choices)
    granted_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "role"], name="unique_user_role")]

    def __str__(self) -> str:
        return f"{self.user_id}:{self.role}"


class TokenScope(models.TextChoices):
    READ = "read", _("Read only")
    WRITE = "write", _("Read and write")


class ApiToken(TimeStampedModel):
    """An API token: only its SHA-256 is stored.

    It acts with its owner's current roles, narrowed to its ``scope`` (read: safe methods only) and
    its ``areas`` (API sections, e.g. ``statistics``), until ``expires_at``, and only while the
    owner's access is unchanged since issue (``auth_epoch``).
    """

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(max_length=16, unique=True)
    digest = models.CharField(max_length=64)
    scope = models.CharField(
        _("scope"), max_length=10, choices=TokenScope.choices, default=TokenScope.READ
    )
    areas = models.JSONField(_("areas"), default=list)
    # Tokens from before scopes existed expire when the migration adds this column.
    expires_at = models.DateTimeField(_("expires at"), default=timezone.now)
    auth_epoch = models.PositiveIntegerField(default=1)
    issued_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("API token")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def audit_label(self) -> str:
        return f"token {self.prefix}"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None and self.expires_at > timezone.now()

    @property
    def area_names(self) -> str:
        """The token's areas by name in the active language ("Cases, Justice"), not by label."""
        return ", ".join(api_area_name(area) for area in self.areas)


def api_area_name(area: str) -> str:
    """An API area (an app's label, ``cases``) by the app's name in the active language."""
    from django.apps import apps

    try:
        return str(apps.get_app_config(area).verbose_name)
    except LookupError:
        return area


class BreakGlassGrant(models.Model):
    """Time-limited access to one record outside the user's scope, with the stated reason."""

    user = models.ForeignKey(User, on_delete=models.PROTECT, related_name="break_glass_grants")
    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT)
    object_id = models.CharField(max_length=64)
    # The stated purpose may name the person concerned: encrypted like other personal data.
    reason = EncryptedTextField(max_length=SHORT_TEXT)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    # The auditor's review afterwards (DESIGN §1: flagged for the auditor).
    reviewed_at = models.DateTimeField(null=True, blank=True)
    reviewed_by = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        indexes = [models.Index(fields=["user", "content_type", "object_id"])]

    def __str__(self) -> str:
        return f"break-glass {self.user_id} {self.content_type_id}:{self.object_id}"

    @property
    def audit_label(self) -> str:
        return f"break-glass {self.pk}"


class GrantStatus(models.TextChoices):
    PENDING = "pending", _("Awaiting approval")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")


class RoleGrant(models.Model):
    """Roles requested for a user that take effect only when a second administrator approves.

    ``activates`` marks the creation of an account that stays disabled until then (a new user in
    the identification centre, who would see every case).
    """

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="role_grants")
    roles = models.JSONField(_("roles"))
    activates = models.BooleanField(default=False)
    requested_by = models.ForeignKey(User, on_delete=models.PROTECT, null=True, related_name="+")
    requested_at = models.DateTimeField(default=timezone.now)
    status = models.CharField(
        max_length=10, choices=GrantStatus.choices, default=GrantStatus.PENDING
    )
    decided_by = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-requested_at"]

    def __str__(self) -> str:
        return f"grant {self.pk} {self.user_id}:{','.join(self.roles)}"

    @property
    def audit_label(self) -> str:
        return f"role grant {self.pk} for user {self.user.username}"


class SecondFactorFailure(models.Model):
    """One wrong (or too early) two-factor code: the limiter counts these per user and address."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    ip_address = models.CharField(max_length=64, blank=True)
    kind = models.CharField(max_length=20)
    at = models.DateTimeField(default=timezone.now, db_index=True)

    def __str__(self) -> str:
        return f"2fa failure {self.user_id} {self.at:%Y-%m-%d %H:%M:%S}"


class AgencyAlias(models.Model):
    """A name people write for an agency, or for a kind of agency, in the files they import:
    "MUP", "Policija", "CSR Beograd", "Centre for Social Work". Administrators maintain them.

    Exactly one of ``agency`` (the alias names that agency) and ``agency_type`` (it names a kind
    of agency: the import takes the one active agency of that type, or asks which one) is set.
    ``key`` is the text folded as imports compare it (``alias_key``), unique: one alias, one
    meaning.
    """

    text = models.CharField(_("alias"), max_length=200)
    key = models.CharField(max_length=200, unique=True, editable=False)
    agency = models.ForeignKey(
        Agency, on_delete=models.CASCADE, related_name="aliases", null=True, blank=True
    )
    agency_type = models.CharField(
        _("agency type"), max_length=40, choices=AgencyType.choices, blank=True
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("agency alias")
        verbose_name_plural = _("agency aliases")
        ordering = ["text"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(agency__isnull=False, agency_type="")
                    | models.Q(agency__isnull=True) & ~models.Q(agency_type="")
                ),
                name="agency_alias_one_target",
            )
        ]

    def __str__(self) -> str:
        return self.text

    @property
    def audit_label(self) -> str:
        return f"agency alias {self.text}"
