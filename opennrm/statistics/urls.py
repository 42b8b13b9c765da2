from __future__ import annotations

from django.urls import path

from opennrm.statistics import views

urlpatterns = [
    path("", views.index, name="index"),
    path("download.<str:fmt>", views.download, name="download"),
    path("about/", views.about, name="about"),
    path("ctdc/", views.ctdc, name="ctdc"),
    path("ctdc/make/", views.ctdc_request, name="ctdc_request"),
    path("ctdc/<int:pk>/", views.ctdc_status, name="ctdc_export"),
    path("ctdc/<int:pk>/csv", views.ctdc_download, name="ctdc_download"),
    path("synthetic/", views.synthetic_request, name="synthetic_request"),
    path("synthetic/<int:pk>/", views.synthetic_status, name="synthetic"),
    path("synthetic/<int:pk>/csv", views.synthetic_download, name="synthetic_download"),
    path("htcds/", views.htcds, name="htcds"),
    path("htcds/<str:token>/", views.htcds_download, name="htcds_download"),
]
