from __future__ import annotations

from django.urls import path

from opennrm.monitoring import views

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("indicators/<int:pk>/", views.indicator_detail, name="indicator"),
    path("recommendations/", views.recommendations, name="recommendations"),
    path("recommendations/import/", views.recommendations_import, name="recommendations_import"),
    path("recommendations/<int:pk>/", views.recommendation_detail, name="recommendation"),
    path("meetings/", views.meetings, name="meetings"),
    path("meetings/<int:pk>/", views.meeting_detail, name="meeting"),
    path("follow-ups/<int:pk>/done/", views.follow_up_done, name="follow_up_done"),
    path("reports/", views.reports, name="reports"),
    path("reports/<int:pk>/", views.report_detail, name="report"),
    path("reports/<int:pk>/generate/", views.report_generate, name="report_generate"),
    path("reports/<int:pk>/files/<int:file_pk>/", views.rendition_status, name="rendition"),
    path(
        "reports/<int:pk>/files/<int:file_pk>/download/",
        views.rendition_download,
        name="rendition_download",
    ),
]
