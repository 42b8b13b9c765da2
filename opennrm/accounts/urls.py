from __future__ import annotations

from django.urls import path

from opennrm.accounts import views

urlpatterns = [
    path("users/", views.users, name="users"),
    path("users/<int:pk>/", views.user_detail, name="user"),
    path("users/<int:pk>/active/", views.user_active, name="user_active"),
    path("users/<int:pk>/unlock/", views.user_unlock, name="user_unlock"),
    path("unlock/", views.unlock, name="unlock"),
    path("agencies/", views.agencies, name="agencies"),
    path("agencies/<int:pk>/", views.agency_detail, name="agency"),
    path("profile/", views.profile, name="profile"),
    path("profile/tokens/<int:pk>/revoke/", views.token_revoke, name="token_revoke"),
]
