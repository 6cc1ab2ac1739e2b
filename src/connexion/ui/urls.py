from django.urls import path

from connexion.ui import views

app_name = "ui"

urlpatterns = [
    path("", views.home, name="home"),
    path("deals/", views.deals, name="deals"),
    path("inbox/", views.inbox, name="inbox"),
    path("billing/", views.billing, name="billing"),
    # Settings (staff users and teams) are accounts.staff_urls, at /settings/.
]
