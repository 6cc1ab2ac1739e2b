from django.urls import path

from connexion.documents import views

app_name = "documents"

urlpatterns = [
    path("<str:owner_type>/<int:owner_id>/upload/", views.upload, name="upload"),
    path("<int:document_id>/", views.view, name="view"),
    path("<int:document_id>/download/", views.download, name="download"),
    path("<int:document_id>/thumbnail.jpg", views.thumbnail, name="thumbnail"),
    path("<int:document_id>/delete/", views.delete, name="delete"),
]
