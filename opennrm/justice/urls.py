from __future__ import annotations

from django.urls import path

from opennrm.justice import views

urlpatterns = [
    path("", views.proceeding_list, name="list"),
    path("new/", views.proceeding_new, name="new"),
    path("import/", views.register_import, name="import"),
    path("case/<path:case_code>/", views.for_case, name="for_case"),
    path("<int:pk>/", views.proceeding_detail, name="detail"),
    path("<int:pk>/move/", views.proceeding_move, name="move"),
    path("<int:pk>/close/", views.proceeding_close, name="close"),
    path("<int:pk>/defendants/new/", views.defendant_new, name="defendant_new"),
    path(
        "<int:pk>/defendants/<int:defendant_id>/outcome/", views.defendant_outcome, name="outcome"
    ),
    path("<int:pk>/charges/<int:charge_id>/requalify/", views.charge_requalify, name="requalify"),
    path("<int:pk>/victims/new/", views.victim_new, name="victim_new"),
    path("<int:pk>/victims/<int:link_id>/", views.victim_edit, name="victim"),
    path("<int:pk>/hearings/new/", views.hearing_new, name="hearing_new"),
]
