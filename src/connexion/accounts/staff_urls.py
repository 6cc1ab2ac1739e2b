from django.urls import path

from connexion.accounts import staff_views as views

app_name = "staff"

urlpatterns = [
    path("", views.user_list, name="user_list"),
    path("users/new/", views.user_create, name="user_create"),
    path("users/<int:user_id>/", views.user_detail, name="user_detail"),
    path("users/<int:user_id>/deactivate/", views.user_deactivate, name="user_deactivate"),
    path("users/<int:user_id>/reactivate/", views.user_reactivate, name="user_reactivate"),
    path("users/<int:user_id>/unlock/", views.user_unlock, name="user_unlock"),
    path("users/<int:user_id>/reset-two-step/", views.user_reset_mfa, name="user_reset_mfa"),
    path(
        "users/<int:user_id>/tokens/<int:token_id>/revoke/",
        views.user_token_revoke,
        name="user_token_revoke",
    ),
    path("roles/", views.role_list, name="role_list"),
    path("teams/", views.team_list, name="team_list"),
    path("teams/<int:team_id>/", views.team_detail, name="team_detail"),
    path("teams/<int:team_id>/delete/", views.team_delete, name="team_delete"),
]
