from __future__ import annotations

from django.urls import path

from opennrm.accounts import views

urlpatterns = [
    path("users/", views.users, name="users"),
    path("users/<int:pk>/", views.user_detail, name="user"),
    path("users/<int:pk>/active/", views.user_active, name="user_active"),
    path("users/<int:pk>/unlock/", views.user_unlock, name="user_unlock"),
    path(
        "users/<int:pk>/tokens/<int:token_pk>/revoke/",
        views.user_token_revoke,
        name="user_token_revoke",
    ),
    path("users/<int:pk>/tokens/", views.service_token_issue, name="service_token_issue"),
    path("grants/", views.grants, name="grants"),
    path(
        "grants/<int:pk>/approve/",
        views.grant_decide,
        {"decision": "approve"},
        name="grant_approve",
    ),
    path(
        "grants/<int:pk>/reject/", views.grant_decide, {"decision": "reject"}, name="grant_reject"
    ),
    path("break-glass/", views.break_glass, name="break_glass"),
    path("break-glass/<int:pk>/review/", views.break_glass_review, name="break_glass_review"),
    path("unlock/", views.unlock, name="unlock"),
    path("agencies/", views.agencies, name="agencies"),
    path("agencies/<int:pk>/", views.agency_detail, name="agency"),
    path("agencies/aliases/", views.agency_aliases, name="agency_aliases"),
    path(
        "agencies/aliases/<int:pk>/remove/", views.agency_alias_remove, name="agency_alias_remove"
    ),
    path("profile/", views.profile, name="profile"),
    path("profile/tokens/<int:pk>/revoke/", views.token_revoke, name="token_revoke"),
]
