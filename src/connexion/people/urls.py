from django.urls import path

from connexion.people import merge_views, views

app_name = "people"

urlpatterns = [
    path("people/", views.person_list, name="person_list"),
    path("people/new/", views.person_create, name="person_create"),
    path("people/views/save/", views.save_view, name="save_view"),
    path("people/views/<int:view_id>/delete/", views.delete_view, name="delete_view"),
    path("people/lookup/", views.lookup_person, name="lookup_person"),
    path("people/<int:person_id>/", views.person_page, name="person_detail"),
    path("people/<int:person_id>/edit/", views.person_edit, name="person_edit"),
    path("people/<int:person_id>/roles/", views.role_add, name="role_add"),
    path("people/<int:person_id>/roles/<int:role_id>/end/", views.role_end, name="role_end"),
    path("people/<int:person_id>/relationships/", views.relationship_add, name="relationship_add"),
    path(
        "<str:owner_type>/<int:owner_id>/contacts/<str:kind>/",
        views.contact_add,
        name="contact_add",
    ),
    path(
        "<str:owner_type>/<int:owner_id>/contacts/<str:kind>/<int:contact_id>/<str:action>/",
        views.contact_change,
        name="contact_change",
    ),
    path("organizations/", views.organization_list, name="organization_list"),
    path("organizations/new/", views.organization_create, name="organization_create"),
    path("organizations/lookup/", views.lookup_organization, name="lookup_organization"),
    path(
        "organizations/<int:organization_id>/",
        views.organization_page,
        name="organization_detail",
    ),
    path(
        "organizations/<int:organization_id>/edit/",
        views.organization_edit,
        name="organization_edit",
    ),
    path("people/duplicates/", merge_views.duplicates, name="duplicates"),
    path("people/merge/<int:keep_id>/<int:other_id>/", merge_views.merge, name="merge"),
]
