"""Routes of the data-subject rights engines: exports and their download link,
erasure, legal holds and retention. Included by privacy/urls.py."""

from django.urls import path

from connexion.privacy.engines import views

urlpatterns = [
    # The person's download: no staff sign-in; the link holds no personal data.
    path("exports/<str:token>/", views.export_download, name="export_download"),
    path("people/<int:person_id>/export/", views.export_create, name="person_export"),
    path("bundles/<int:export_id>/", views.export_detail, name="export_detail"),
    path("bundles/<int:export_id>/link/", views.export_link, name="export_link"),
    path("bundles/<int:export_id>/send/", views.export_send, name="export_send"),
    path("people/<int:person_id>/erase/", views.erase_confirm, name="person_erase"),
    path("erasures/", views.erasure_list, name="erasure_list"),
    path("erasures/<int:record_id>/", views.erasure_detail, name="erasure_detail"),
    path("holds/", views.hold_list, name="hold_list"),
    path("people/<int:person_id>/holds/", views.hold_place, name="hold_place"),
    path("holds/<int:hold_id>/lift/", views.hold_lift, name="hold_lift"),
    path("retention/", views.retention_rules, name="retention_rules"),
    path("retention/rules/new/", views.retention_rule_edit, name="retention_rule_create"),
    path("retention/rules/<int:rule_id>/", views.retention_rule_edit, name="retention_rule_edit"),
    path("retention/preview/", views.retention_preview, name="retention_preview"),
    path("retention/run/", views.retention_run, name="retention_run"),
    path("retention/runs/<int:run_id>/", views.retention_run_detail, name="retention_run_detail"),
]
