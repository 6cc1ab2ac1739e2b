"""The privacy center, under /privacy/: public pages first, then the privacy
area's settings of it under /privacy/manage/."""

from django.urls import path

from connexion.portal import manage_views, views

app_name = "portal"

urlpatterns = [
    path("", views.home, name="home"),
    path("notices/<int:notice_id>/", views.notice, name="notice"),
    path("request/", views.request_form, name="request"),
    path("request/follow/<str:token>/", views.follow, name="follow"),
    path("request/follow/<str:token>/<slug:action>/", views.follow_action, name="follow_action"),
    path("consents/", views.consents_start, name="consents_start"),
    path("consents/code/", views.consents_verify, name="consents_verify"),
    path("consents/mine/", views.my_consents, name="my_consents"),
    path("consents/mine/<int:purpose_id>/", views.consent_change, name="consent_change"),
    path("consents/done/", views.consents_done, name="consents_done"),
    path("link/<str:token>/", views.link, name="link"),
    path("cookies/", views.cookies, name="cookies"),
    path("cookies/consent/", views.cookie_consent, name="cookie_consent"),
    path("cookies/config/", views.cookie_config, name="cookie_config"),
    path("forms/<slug:key>/", views.web_form, name="web_form"),
    # The privacy area's settings of the privacy center (staff only).
    path("manage/", manage_views.overview, name="manage"),
    path("manage/contact/", manage_views.contact_edit, name="manage_contact"),
    path("manage/cookies/", manage_views.cookie_settings, name="manage_cookies"),
    path("manage/forms/new/", manage_views.form_edit, name="manage_form_new"),
    path("manage/forms/<int:form_id>/", manage_views.form_edit, name="manage_form"),
    path("manage/notices/<int:notice_id>/announce/", manage_views.announce, name="announce"),
    path(
        "manage/announcements/<int:announcement_id>/",
        manage_views.announcement_detail,
        name="manage_announcement",
    ),
]
