"""The request queue, under /privacy/requests/ in the privacy namespace."""

from django.urls import path

from connexion.privacy.subject_requests import views

urlpatterns = [
    path("", views.request_queue, name="request_queue"),
    path("new/", views.request_create, name="request_create"),
    path("<int:request_id>/", views.request_detail, name="request_detail"),
    path("<int:request_id>/files/<slug:which>/", views.request_file, name="request_file"),
    path("<int:request_id>/<slug:name>/", views.request_action, name="request_action"),
]
