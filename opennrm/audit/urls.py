from __future__ import annotations

from django.urls import path

from opennrm.audit import views

urlpatterns = [
    path("", views.entries, name="list"),
    path("export.csv", views.export, name="export"),
    path("verify/", views.verify, name="verify"),
]
