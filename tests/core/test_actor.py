"""``core.http.actor``: the API's authenticated user first, else the session's; nobody is refused."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.test import RequestFactory

from opennrm.core.http import actor

pytestmark = pytest.mark.django_db


def test_the_api_user_wins_over_the_session_and_anonymous_is_refused(personas):
    request = RequestFactory().get("/")
    request.user = personas["vesna"]
    assert actor(request) == personas["vesna"]
    request.auth = personas["ana"]
    assert actor(request) == personas["ana"]
    anonymous = RequestFactory().get("/")
    anonymous.user = AnonymousUser()
    with pytest.raises(PermissionDenied):
        actor(anonymous)
