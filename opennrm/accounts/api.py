"""Accounts API: who am I, and my own tokens."""

from __future__ import annotations

from datetime import datetime

from django.db.models import QuerySet
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Router, Schema, Status
from ninja.pagination import paginate

from opennrm.accounts import policy, selectors, services
from opennrm.accounts.models import ApiToken, User

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
    created_at: datetime
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


class TokenIn(Schema):
    name: str


class TokenIssued(TokenOut):
    token: str


def _user(request: HttpRequest) -> User:
    user = request.auth  # type: ignore[attr-defined]
    assert isinstance(user, User)
    return user


@router.get("/me", response=MeOut)
def me(request: HttpRequest) -> MeOut:
    user = _user(request)
    return MeOut(
        username=user.username,
        agency=user.agency.name if user.agency else None,
        roles=sorted(user.roles),
        actions=sorted(user.actions),
    )


@router.get("/tokens", response=list[TokenOut])
def tokens(request: HttpRequest) -> list[ApiToken]:
    return list(selectors.token_list(actor=_user(request)))


@router.post("/tokens", response={201: TokenIssued})
def token_issue(request: HttpRequest, payload: TokenIn) -> Status[TokenIssued]:
    """Issue a token for the caller (``token.own``); the plaintext is in this response only."""
    user = _user(request)
    token, plaintext = services.token_issue(actor=user, user=user, name=payload.name)
    return Status(201, TokenIssued(token=plaintext, **TokenOut.model_validate(token).model_dump()))


@router.delete("/tokens/{token_id}", response={204: None})
def token_revoke(request: HttpRequest, token_id: int) -> Status[None]:
    """Revoke one of the caller's own tokens; someone else's token is 404, not 403."""
    user = _user(request)
    services.token_revoke(actor=user, token=get_object_or_404(ApiToken, pk=token_id, user=user))
    return Status(204, None)


@router.get("/users", response=list[UserOut])
@paginate
def users(request: HttpRequest, q: str = "") -> QuerySet[User]:
    """Accounts for administrators (``user.manage``); everyone else gets 403."""
    user = policy.require(_user(request), "user.manage")
    return selectors.user_list(actor=user, search=q)
