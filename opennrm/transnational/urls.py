from __future__ import annotations

from django.urls import path

from opennrm.transnational import views

urlpatterns = [
    path("", views.index, name="index"),
    path("partners/add/", views.partner_add, name="partner_add"),
    path("partners/<int:pk>/", views.partner_detail, name="partner"),
    path("cases/<int:case_pk>/send/", views.send, name="send"),
    path("referrals/<int:pk>/", views.referral_detail, name="referral"),
]
