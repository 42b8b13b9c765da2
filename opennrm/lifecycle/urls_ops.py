"""Operations endpoints at the site's root (mounted by ``opennrm/urls.py``)."""

from __future__ import annotations

from django.urls import path

from opennrm.lifecycle import views

urlpatterns = [
    path("readyz", views.readyz, name="readyz"),
    path("metrics", views.metrics_view, name="metrics"),
]
