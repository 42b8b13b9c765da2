"""Agencies, users and their roles, API tokens, break-the-glass grants."""

from __future__ import annotations

from functools import cached_property

from django.contrib.auth.models import AbstractUser
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from opennrm.accounts.roles import ROLE_ACTIONS, AgencyType, Role
from opennrm.core.models import TimeStampedModel, VersionedModel
from opennrm.core.translit import to_latin


class Agency(VersionedModel):
    name = models.CharField(_("name (English)"), max_length=200, unique=True)
    name_sr = models.CharField(_("name (Serbian Cyrillic)"), max_length=200, blank=True)
    short_name = models.CharField(_("short name"), max_length=40, blank=True)
    type = models.CharField(_("type"), max_length=40, choices=AgencyType.choices)
    municipality = models.CharField(_("municipality"), max_length=100, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("agency")
        verbose_name_plural = _("agencies")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

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


class User(AbstractUser):
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="users", null=True)
    # Bumped whenever the user's access changes; sessions carrying an older epoch end at once.
    auth_epoch = models.PositiveIntegerField(default=1, editable=False)
    version = models.PositiveIntegerField(default=1, editable=False)

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
        for role in self.roles:
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


class ApiToken(TimeStampedModel):
    """A personal API token: only its SHA-256 is stored; it acts with its owner's current roles."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(max_length=16, unique=True)
    digest = models.CharField(max_length=64)
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
        return self.revoked_at is None


class BreakGlassGrant(models.Model):
    """Time-limited access to one record outside the user's scope, with the stated reason."""

    user = models.ForeignKey(User, on_delete=models.PROTECT, related_name="break_glass_grants")
    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT)
    object_id = models.CharField(max_length=64)
    reason = models.TextField()
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["user", "content_type", "object_id"])]

    def __str__(self) -> str:
        return f"break-glass {self.user_id} {self.content_type_id}:{self.object_id}"
