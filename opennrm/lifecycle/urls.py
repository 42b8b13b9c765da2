from __future__ import annotations

from django.urls import path

from opennrm.lifecycle import views

urlpatterns = [
    path("erasures/", views.erasures, name="erasures"),
    path("requests/", views.requests_page, name="requests"),
]
