"""Settings → staff users and teams (administrators: accounts.manage_staff)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from connexion.accounts import mfa, selectors
from connexion.accounts.forms import NewStaffUserForm, StaffUserForm, TeamForm
from connexion.accounts.models import RoleVisibility, Team, User
from connexion.accounts.permissions import require_permission
from connexion.accounts.roles import ADMIN, ROLE_LABELS, ROLE_PERMISSIONS, permission_label
from connexion.accounts.services import (
    create_staff_user,
    create_team,
    deactivate_user,
    delete_team,
    locked_usernames,
    reactivate_user,
    set_role_scope,
    set_roles,
    set_teams,
    unlock_sign_in,
    update_staff_user,
    update_team,
)
from connexion.api.models import ApiToken
from connexion.api.scopes import describe as describe_scope
from connexion.api.services import revoke_token
from connexion.lib.forms import put_errors
from connexion.lib.http import client_ip

staff_access = require_permission("accounts.manage_staff")


def _role_labels(user: User) -> list[str]:
    return [str(ROLE_LABELS.get(group.name, group.name)) for group in user.groups.all()]


@login_required
@staff_access
def user_list(request: HttpRequest) -> HttpResponse:
    locked = locked_usernames()
    rows = [
        {
            "member": member,
            "roles": _role_labels(member),
            "teams": [team.name for team in member.teams.all()],
            "locked": member.username in locked,
        }
        for member in selectors.staff_users()
    ]
    return render(request, "accounts/staff/user_list.html", {"rows": rows, "section": "users"})


@login_required
@staff_access
@require_http_methods(["GET", "POST"])
def user_create(request: HttpRequest) -> HttpResponse:
    form = NewStaffUserForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            user, password = create_staff_user(
                data["username"],
                email=data["email"],
                first_name=data["first_name"],
                last_name=data["last_name"],
                language=data["language"],
                roles=data["roles"],
                teams=data["teams"],
                actor=request.user,
            )
        except ValidationError as exc:
            put_errors(form, exc)
        else:
            messages.success(
                request,
                _("Staff user %(username)s created. Their first password is %(password)s")
                % {"username": user.username, "password": password},
            )
            return redirect("staff:user_detail", user_id=user.pk)
    return render(request, "accounts/staff/user_create.html", {"form": form, "section": "users"})


@login_required
@staff_access
@require_http_methods(["GET", "POST"])
def user_detail(request: HttpRequest, user_id: int) -> HttpResponse:
    member = get_object_or_404(User, pk=user_id)
    actor: User = request.user  # type: ignore[assignment]
    initial = {
        "first_name": member.first_name,
        "last_name": member.last_name,
        "email": member.email,
        "language": member.language,
        "roles": list(member.groups.values_list("name", flat=True)),
        "teams": list(member.teams.all()),
    }
    form = StaffUserForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if member.pk == actor.pk and ADMIN not in data["roles"]:
            form.add_error("roles", _("You cannot take the administrator role from yourself."))
        else:
            try:
                with transaction.atomic():
                    update_staff_user(
                        member,
                        actor=actor,
                        first_name=data["first_name"],
                        last_name=data["last_name"],
                        email=data["email"],
                        language=data["language"],
                    )
                    set_roles(member, data["roles"], actor=actor)
                    set_teams(member, data["teams"], actor=actor)
            except ValidationError as exc:
                put_errors(form, exc)
            else:
                messages.success(
                    request, _("Changes to %(username)s saved.") % {"username": member}
                )
                return redirect("staff:user_detail", user_id=member.pk)
    tokens = [
        (token, [describe_scope(scope) for scope in token.scopes])
        for token in selectors.api_tokens(member)
    ]
    return render(
        request,
        "accounts/staff/user_detail.html",
        {
            "member": member,
            "form": form,
            "security": selectors.security_state(member),
            "history": selectors.sign_in_history(member),
            "tokens": tokens,
            "section": "users",
        },
    )


@require_POST
@login_required
@staff_access
def user_deactivate(request: HttpRequest, user_id: int) -> HttpResponse:
    member = get_object_or_404(User, pk=user_id)
    try:
        sessions, tokens = deactivate_user(member, actor=request.user)
    except ValidationError as exc:
        for error in exc.messages:
            messages.error(request, error)
    else:
        messages.success(
            request,
            _(
                "%(username)s is deactivated: %(sessions)d sessions ended, "
                "%(tokens)d API tokens revoked."
            )
            % {"username": member, "sessions": sessions, "tokens": tokens},
        )
    return redirect("staff:user_detail", user_id=member.pk)


@require_POST
@login_required
@staff_access
def user_reactivate(request: HttpRequest, user_id: int) -> HttpResponse:
    member = get_object_or_404(User, pk=user_id)
    reactivate_user(member, actor=request.user)
    messages.success(
        request,
        _("%(username)s can sign in again. Their old API tokens stay revoked.")
        % {"username": member},
    )
    return redirect("staff:user_detail", user_id=member.pk)


@require_POST
@login_required
@staff_access
def user_unlock(request: HttpRequest, user_id: int) -> HttpResponse:
    member = get_object_or_404(User, pk=user_id)
    unlock_sign_in(
        member,
        actor=request.user,
        ip_address=client_ip(request),
        user_agent=request.headers.get("User-Agent", ""),
    )
    messages.success(request, _("Sign-in for %(username)s is unlocked.") % {"username": member})
    return redirect("staff:user_detail", user_id=member.pk)


@require_POST
@login_required
@staff_access
def user_reset_mfa(request: HttpRequest, user_id: int) -> HttpResponse:
    """For a user who lost their phone and recovery codes: they set up two-step
    sign-in again at their next sign-in (if their role requires it)."""
    member = get_object_or_404(User, pk=user_id)
    mfa.disable(member, actor=request.user)
    messages.success(
        request, _("Two-step sign-in of %(username)s is reset.") % {"username": member}
    )
    return redirect("staff:user_detail", user_id=member.pk)


@require_POST
@login_required
@staff_access
def user_token_revoke(request: HttpRequest, user_id: int, token_id: int) -> HttpResponse:
    token = get_object_or_404(ApiToken, pk=token_id, user_id=user_id)
    revoke_token(token, actor=request.user)  # type: ignore[arg-type]
    messages.success(request, _("The token %(prefix)s is revoked.") % {"prefix": token.prefix})
    return redirect("staff:user_detail", user_id=user_id)


# --- teams ------------------------------------------------------------------------


@login_required
@staff_access
@require_http_methods(["GET", "POST"])
def team_list(request: HttpRequest) -> HttpResponse:
    form = TeamForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            team = create_team(
                data["name"],
                description=data["description"],
                members=data["members"],
                actor=request.user,
            )
        except ValidationError as exc:
            put_errors(form, exc)
        else:
            messages.success(request, _("Team %(name)s created.") % {"name": team.name})
            return redirect("staff:team_list")
    teams = Team.objects.order_by("name").prefetch_related("members")
    return render(
        request,
        "accounts/staff/team_list.html",
        {"teams": teams, "form": form, "section": "teams"},
    )


@login_required
@staff_access
@require_http_methods(["GET", "POST"])
def team_detail(request: HttpRequest, team_id: int) -> HttpResponse:
    team = get_object_or_404(Team, pk=team_id)
    initial = {
        "name": team.name,
        "description": team.description,
        "members": list(team.members.all()),
    }
    form = TeamForm(request.POST or None, initial=initial, team=team)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            update_team(
                team,
                name=data["name"],
                description=data["description"],
                members=data["members"],
                actor=request.user,
            )
        except ValidationError as exc:
            put_errors(form, exc)
        else:
            messages.success(request, _("Team %(name)s saved.") % {"name": team.name})
            return redirect("staff:team_list")
    return render(
        request,
        "accounts/staff/team_detail.html",
        {"team": team, "form": form, "section": "teams"},
    )


@require_POST
@login_required
@staff_access
def team_delete(request: HttpRequest, team_id: int) -> HttpResponse:
    team = get_object_or_404(Team, pk=team_id)
    name = team.name
    delete_team(team, actor=request.user)
    messages.success(request, _("Team %(name)s deleted.") % {"name": name})
    return redirect("staff:team_list")


@login_required
@staff_access
@require_http_methods(["GET", "POST"])
def role_list(request: HttpRequest) -> HttpResponse:
    """The roles, what each opens and which records its members see."""
    if request.method == "POST":
        role = request.POST.get("role", "")
        if role not in ROLE_LABELS:
            messages.error(request, _("Choose one of the listed roles."))
        else:
            try:
                set_role_scope(role, request.POST.get("scope", ""), actor=request.user)
            except ValidationError as exc:
                for error in exc.messages:
                    messages.error(request, error)
            else:
                messages.success(
                    request,
                    _("Members of %(role)s now see: %(scope)s.")
                    % {
                        "role": ROLE_LABELS[role],
                        "scope": RoleVisibility.Scope(request.POST["scope"]).label,
                    },
                )
                return redirect("staff:role_list")
    scopes = dict(
        RoleVisibility.objects.filter(role__name__in=ROLE_LABELS).values_list("role__name", "scope")
    )
    groups = {group.name: group for group in Group.objects.filter(name__in=ROLE_LABELS)}
    rows = [
        {
            "code": code,
            "label": label,
            "scope": scopes.get(code, RoleVisibility.Scope.ALL),
            "members": groups[code].user_set.filter(is_active=True).count()
            if code in groups
            else 0,
            "permissions": [permission_label(name) for name in ROLE_PERMISSIONS[code]],
        }
        for code, label in ROLE_LABELS.items()
    ]
    return render(
        request,
        "accounts/staff/role_list.html",
        {"rows": rows, "scopes": RoleVisibility.Scope.choices, "section": "roles"},
    )
