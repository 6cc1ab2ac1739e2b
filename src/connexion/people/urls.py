from django.urls import path

from connexion.people import views

app_name = "people"

urlpatterns = [
    path("people/", views.person_list, name="person_list"),
    path("organizations/", views.organization_list, name="organization_list"),
]
