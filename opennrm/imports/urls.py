"""URLs of the import pipeline, mounted under /imports/."""

from __future__ import annotations

from django.urls import URLPattern, path

from opennrm.imports import views

urlpatterns: list[URLPattern] = [
    path("", views.index, name="index"),
    path("jobs/<uuid:job_id>/", views.job, name="job"),
    path("jobs/<uuid:job_id>/columns/", views.columns, name="columns"),
    path("jobs/<uuid:job_id>/values/", views.values, name="values"),
    path("jobs/<uuid:job_id>/preview/", views.preview, name="preview"),
    path("jobs/<uuid:job_id>/resume/", views.resume, name="resume"),
    path("jobs/<uuid:job_id>/report.csv", views.report, name="report"),
    path("<str:key>/", views.upload, name="upload"),
    path("<str:key>/template.xlsx", views.template, name="template"),
]
