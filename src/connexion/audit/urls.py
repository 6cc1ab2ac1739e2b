from django.urls import path

from connexion.audit import views

app_name = "audit"

urlpatterns = [
    path("", views.audit_log, name="log"),
    path("people/<int:person_id>/viewers/", views.person_viewers, name="person_viewers"),
]
