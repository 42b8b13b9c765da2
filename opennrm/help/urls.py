from __future__ import annotations

from django.urls import path

from opennrm.help import views

urlpatterns = [
    path("", views.index, name="index"),
    path("shots/<str:language>/<str:name>", views.shot, name="shot"),
    path("<slug:role>/", views.role, name="role"),
    path("<slug:role>/<slug:task>/", views.task, name="task"),
]
