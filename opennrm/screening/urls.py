from __future__ import annotations

from django.urls import path

from opennrm.screening import views

app_name = "screening"

urlpatterns = [
    path("", views.screening_list, name="list"),
    path("new/", views.screening_start, name="start"),
    path("stats/", views.screening_stats, name="stats"),
    path("<int:pk>/", views.screening_detail, name="detail"),
    path("<int:pk>/edit/", views.screening_edit, name="edit"),
    path("<int:pk>/autosave/", views.screening_autosave, name="autosave"),
    path("<int:pk>/discard/", views.screening_discard, name="discard"),
    path("<int:pk>/referral/", views.referral_unavailable, name="referral_unavailable"),
]
