"""The record of processing activities, mounted at
/data-protection/record-of-processing/ under the namespace "processing"."""

from django.urls import path

from connexion.privacy.processing import views as processing_views

app_name = "processing"

urlpatterns = [
    path("", processing_views.record_of_processing, name="record_of_processing"),
    path("export.csv", processing_views.record_of_processing_csv, name="record_of_processing_csv"),
    path(
        "export.xlsx", processing_views.record_of_processing_xlsx, name="record_of_processing_xlsx"
    ),
]
