from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from connexion.accounts.models import SignInAttempt, Team, User
from connexion.accounts.sessions import end_user_sessions
from connexion.api.services import revoke_user_tokens


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    fieldsets = (
        *DjangoUserAdmin.fieldsets,
        (_("Preferences"), {"fields": ("language",)}),
    )
    list_display = ("username", "email", "first_name", "last_name", "is_active", "roles")

    @admin.display(description=_("roles"))
    def roles(self, user: User) -> str:
        return ", ".join(group.name for group in user.groups.all())

    def save_model(self, request: HttpRequest, obj: User, form: Any, change: bool) -> None:
        was_active = change and User.objects.filter(pk=obj.pk, is_active=True).exists()
        super().save_model(request, obj, form, change)
        if was_active and not obj.is_active:
            # As in Settings: sessions end and tokens are revoked at once.
            revoke_user_tokens(obj, actor=request.user)  # type: ignore[arg-type]
            end_user_sessions(obj)


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    list_display = ("name", "description")
    filter_horizontal = ("members",)


@admin.register(SignInAttempt)
class SignInAttemptAdmin(admin.ModelAdmin):
    list_display = ("attempted_at", "username", "outcome", "step", "ip_address")
    list_filter = ("outcome", "step")
    search_fields = ("username", "ip_address")

    # The sign-in history is evidence: read-only here.
    def has_add_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False
