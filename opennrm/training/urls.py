from __future__ import annotations

from django.urls import path

from opennrm.training import views

urlpatterns = [
    path("", views.cohorts, name="cohorts"),
    path("cohorts/<slug:code>/", views.cohort_detail, name="cohort"),
    path("cohorts/<slug:code>/edit/", views.cohort_edit, name="cohort_edit"),
    path("cohorts/<slug:code>/import/", views.cohort_import, name="import"),
    path("cohorts/<slug:code>/import/errors.csv", views.import_errors, name="import_errors"),
    path("certificates/<int:pk>.pdf", views.certificate, name="certificate"),
    path("coverage/", views.coverage, name="coverage"),
    path("events/", views.events, name="events"),
    path("events/<slug:code>/", views.event_detail, name="event"),
    path("planning/", views.planning, name="planning"),
]
