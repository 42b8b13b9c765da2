from __future__ import annotations

from django.urls import URLPattern, URLResolver, path

from opennrm.cases import views

app_name = "cases"

urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.case_list, name="case_list"),
    path("<int:pk>/", views.case_detail, name="case_detail"),
    path("<int:pk>/history/", views.case_history, name="case_history"),
    path("<int:pk>/do/<slug:step>/", views.case_step, name="case_step"),
    path("access/", views.case_break_glass, name="break_glass"),
    path("status/", views.status_lookup, name="status_lookup"),
    path("referrals/", views.referral_list, name="referral_list"),
    path("referrals/new/", views.referral_create, name="referral_create"),
    path(
        "referrals/from-screening/<int:screening_id>/",
        views.refer_from_screening,
        name="refer_from_screening",
    ),
    path("referrals/<int:pk>/", views.referral_detail, name="referral_detail"),
    path(
        "referrals/<int:pk>/acknowledge/",
        views.referral_acknowledge,
        name="referral_acknowledge",
    ),
    path("referrals/<int:pk>/decline/", views.referral_decline, name="referral_decline"),
    path("referrals/<int:pk>/accept/", views.referral_accept, name="referral_accept"),
    path("consents/<int:pk>/withdraw/", views.consent_withdraw, name="consent_withdraw"),
    path("guardians/<int:pk>/end/", views.guardian_end, name="guardian_end"),
    path("stays/<int:pk>/end/", views.stay_end, name="stay_end"),
    path("services/", views.service_inbox, name="service_inbox"),
    path("services/<int:pk>/admit/", views.provider_shelter, name="provider_shelter"),
    path("services/<int:pk>/<slug:step>/", views.service_step, name="service_step"),
    path("deadlines/", views.deadlines, name="deadlines"),
    path("import/", views.import_start, name="import"),
    path("import/template.csv", views.import_template, name="import_template"),
    path("<int:pk>/file.pdf", views.case_file, name="case_file"),
]
