"""Accounts API: who am I, my own tokens, and (administrators) a user's tokens."""

from __future__ import annotations

from datetime import datetime

from django.db.models import QuerySet
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Field, Router, Schema, Status
from ninja.pagination import paginate

from opennrm.accounts import policy, selectors, services
from opennrm.accounts.models import ApiToken, TokenScope, User
from opennrm.accounts.session import mfa_verified, token_of
from opennrm.core import http
from opennrm.core.apischemas import InputSchema

router = Router(tags=["accounts"])


class MeOut(Schema):
    username: str
    agency: str | None
    roles: list[str]
    actions: list[str]


class TokenOut(Schema):
    id: int
    name: str
    prefix: str
    scope: str
    areas: list[str]
    created_at: datetime
    expires_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None


class UserOut(Schema):
    id: int
    username: str
    agency: str | None
    roles: list[str]
    is_active: bool

    @staticmethod
    def resolve_agency(obj: User) -> str | None:
        return obj.agency.name if obj.agency else None

    @staticmethod
    def resolve_roles(obj: User) -> list[str]:
        return [assignment.role for assignment in obj.role_assignments.all()]


class TokenIn(InputSchema):
    name: str = Field(max_length=100)
    scope: TokenScope = TokenScope.READ
    areas: list[str] = Field(min_length=1, max_length=20)
    hours: int | None = Field(default=None, ge=1)


class TokenIssued(TokenOut):
    token: str


@router.get("/me", response=MeOut)
def me(request: HttpRequest) -> MeOut:
    user = http.actor(request)
    return MeOut(
        username=user.username,
        agency=user.agency.name if user.agency else None,
        roles=sorted(user.roles),
        actions=sorted(user.actions),
    )


@router.get("/tokens", response=list[TokenOut])
def tokens(request: HttpRequest) -> list[ApiToken]:
    return list(selectors.token_list(actor=http.actor(request)))


@router.post("/tokens", response={201: TokenIssued})
def token_issue(request: HttpRequest, payload: TokenIn) -> Status[TokenIssued]:
    """Issue a token for the caller (``token.own``) with a scope, areas and a lifetime; the
    plaintext is in this response only. Only from a browser session verified with two-factor
    authentication (for roles that require it), never with another token."""
    user = http.actor(request)
    token, plaintext = services.token_issue(
        actor=user,
        user=user,
        name=payload.name,
        scope=payload.scope,
        areas=payload.areas,
        hours=payload.hours,
        mfa_verified=token_of(request) is None and mfa_verified(request),
    )
    return Status(201, TokenIssued(token=plaintext, **TokenOut.model_validate(token).model_dump()))


@router.delete("/tokens/{token_id}", response={204: None})
def token_revoke(request: HttpRequest, token_id: int) -> Status[None]:
    """Revoke one of the caller's own tokens; someone else's token is 404, not 403."""
    user = http.actor(request)
    services.token_revoke(actor=user, token=selectors.token_get(actor=user, pk=token_id))
    return Status(204, None)


@router.get("/users/{user_id}/tokens", response=list[TokenOut])
def user_tokens(request: HttpRequest, user_id: int) -> list[ApiToken]:
    """A user's tokens, for administrators (``user.manage``); everyone else gets 403."""
    actor = policy.require(http.actor(request), "user.manage")
    subject = get_object_or_404(selectors.user_list(actor=actor), pk=user_id)
    return list(selectors.token_list(actor=actor, user=subject))


@router.delete("/users/{user_id}/tokens/{token_id}", response={204: None})
def user_token_revoke(request: HttpRequest, user_id: int, token_id: int) -> Status[None]:
    """An administrator revokes a user's token (``user.manage``)."""
    actor = policy.require(http.actor(request), "user.manage")
    subject = get_object_or_404(selectors.user_list(actor=actor), pk=user_id)
    token = get_object_or_404(selectors.token_list(actor=actor, user=subject), pk=token_id)
    services.token_revoke(actor=actor, token=token)
    return Status(204, None)


@router.get("/users", response=list[UserOut])
@paginate
def users(request: HttpRequest, q: str = "") -> QuerySet[User]:
    """Accounts for administrators (``user.manage``); everyone else gets 403."""
    user = policy.require(http.actor(request), "user.manage")
    return selectors.user_list(actor=user, search=q)
