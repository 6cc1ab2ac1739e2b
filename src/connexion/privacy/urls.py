from django.urls import include, path

from connexion.privacy.ledger import people_export, views

app_name = "privacy"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("consents/", views.consent_list, name="consent_list"),
    path("purposes/", views.purpose_list, name="purpose_list"),
    path("purposes/new/", views.purpose_edit, name="purpose_create"),
    path("purposes/<int:purpose_id>/", views.purpose_edit, name="purpose_edit"),
    path("notices/", views.notice_list, name="notice_list"),
    path("notices/new/", views.notice_publish, name="notice_publish"),
    path("notices/<int:notice_id>/", views.notice_detail, name="notice_detail"),
    path("objections/", views.objection_list, name="objection_list"),
    path("objections/<int:objection_id>/", views.objection_decide, name="objection_decide"),
    path("disclosures/", views.disclosure_list, name="disclosure_list"),
    path("disclosures/new/", views.disclosure_create, name="disclosure_create"),
    path("breaches/", views.breach_list, name="breach_list"),
    path("breaches/new/", views.breach_create, name="breach_create"),
    path("breaches/<int:breach_id>/", views.breach_detail, name="breach_detail"),
    path("breaches/<int:breach_id>/close/", views.breach_close, name="breach_close"),
    path("partners/", views.partner_list, name="partner_list"),
    path("consents/<int:event_id>/evidence/", views.consent_evidence, name="consent_evidence"),
    path("restrictions/", views.restriction_list, name="restriction_list"),
    path("requests/", include("connexion.privacy.subject_requests.urls")),
    path("", include("connexion.privacy.engines.urls")),
    # The people list's export, through the use door: open to every staff member with people access.
    path("people/export.<str:file_format>", people_export.people_export, name="people_export"),
    # The privacy panel of a person's page: open to every staff member with people access.
    path("people/<int:person_id>/", views.person_panel, name="person_panel"),
    path("people/<int:person_id>/consent/", views.person_consent, name="person_consent"),
    path("people/<int:person_id>/restrictions/", views.person_restrict, name="person_restrict"),
    path(
        "people/<int:person_id>/restrictions/<int:restriction_id>/lift/",
        views.person_lift,
        name="person_lift",
    ),
    path("people/<int:person_id>/objections/", views.person_object, name="person_object"),
    path("people/<int:person_id>/interests/", views.person_interest, name="person_interest"),
]
