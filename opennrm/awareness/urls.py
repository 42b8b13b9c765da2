from __future__ import annotations

from django.urls import path

from opennrm.awareness import views

urlpatterns = [
    path("", views.index, name="index"),
    path("campaigns/<slug:code>/", views.campaign_detail, name="campaign"),
]
