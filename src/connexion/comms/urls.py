from django.urls import path

from connexion.comms import views

app_name = "comms"

urlpatterns = [
    path("templates/", views.template_list, name="template_list"),
    path("templates/new/", views.template_edit, name="template_create"),
    path("templates/<int:template_id>/", views.template_edit, name="template_edit"),
    path("people/<int:person_id>/email/", views.send_email, name="send_email"),
    path("people/<int:person_id>/email/check/", views.send_check, name="send_check"),
]
