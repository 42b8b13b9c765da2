from __future__ import annotations

from django.urls import path

from opennrm.field import views

urlpatterns = [
    path("", views.field_home, name="home"),
    path("sw.js", views.service_worker, name="service_worker"),
    path("manifest.webmanifest", views.manifest, name="manifest"),
    path("catalogues.json", views.catalogues, name="catalogues"),
    path("devices/", views.devices, name="devices"),
    path("devices/wipe/<int:user_id>/", views.devices_wipe, name="devices_wipe"),
]
