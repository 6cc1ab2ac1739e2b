from django.urls import path

from connexion.imports import views

app_name = "imports"

urlpatterns = [
    path("", views.upload, name="upload"),
    path("<int:job_id>/", views.job_page, name="job"),
    path("<int:job_id>/mapping/", views.mapping, name="mapping"),
    path("<int:job_id>/progress/", views.job_progress, name="progress"),
    path("<int:job_id>/retry/", views.job_retry, name="retry"),
    path("<int:job_id>/report.csv", views.job_report, name="report"),
]
