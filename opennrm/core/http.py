"""Typed request for views (``request.user`` is our User), and small view helpers."""

from __future__ import annotations

from django.http import HttpRequest

from opennrm.accounts.models import User


class AuthenticatedHttpRequest(HttpRequest):
    user: User
