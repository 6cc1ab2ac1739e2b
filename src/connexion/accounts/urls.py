from django.urls import path

from connexion.accounts import views

app_name = "accounts"

urlpatterns = [
    path("", views.account, name="account"),
    path("sign-in/", views.SignInView.as_view(), name="login"),
    path("sign-in/code/", views.sign_in_code, name="sign_in_code"),
    path("sign-out/", views.SignOutView.as_view(), name="logout"),
    path("language/", views.switch_language, name="language"),
    path("password/", views.password_change, name="password_change"),
    path("two-step/setup/", views.mfa_setup, name="mfa_setup"),
    path("two-step/recovery-codes/", views.mfa_recovery_codes, name="mfa_recovery_codes"),
    path("two-step/recovery-codes/new/", views.mfa_regenerate, name="mfa_regenerate"),
    path("two-step/turn-off/", views.mfa_disable, name="mfa_disable"),
    path("tokens/", views.api_tokens, name="api_tokens"),
    path("tokens/<int:token_id>/revoke/", views.api_token_revoke, name="api_token_revoke"),
    path("password-reset/", views.PasswordResetView.as_view(), name="password_reset"),
    path(
        "password-reset/sent/",
        views.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "password-reset/<uidb64>/<token>/",
        views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "password-reset/complete/",
        views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
]
