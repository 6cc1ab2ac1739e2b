from django.urls import path

from connexion.ui import views

app_name = "ui"

urlpatterns = [
    path("", views.home, name="home"),
    path("deals/", views.deals, name="deals"),
    path("inbox/", views.inbox, name="inbox"),
    path("billing/", views.billing, name="billing"),
    path("settings/", views.staff_settings, name="settings"),
    path("settings/staff/<int:user_id>/roles/", views.staff_roles, name="staff_roles"),
]
