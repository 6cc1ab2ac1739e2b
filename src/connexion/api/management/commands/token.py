import re
from datetime import date, datetime, time, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from connexion.accounts.models import User
from connexion.api import scopes as api_scopes
from connexion.api.models import ApiToken
from connexion.api.services import create_token, revoke_token

SCOPE_HELP = (
    "What the token may reach; repeat or separate with commas. Areas: "
    + ", ".join(f"{area}:read, {area}:write" for area in api_scopes.AREAS)
    + "; data categories: "
    + ", ".join(api_scopes.CATEGORIES)
    + ". Without --scope the token has every area and category (still never more than "
    "its user may see)."
)


def parse_expiry(raw: str) -> datetime:
    """`2027-03-31` (the token works through that day, Thai time) or `90d`."""
    days = re.fullmatch(r"(\d+)d", raw.strip())
    if days:
        return timezone.now() + timedelta(days=int(days.group(1)))
    try:
        day = date.fromisoformat(raw.strip())
    except ValueError:
        raise CommandError(
            f"--expires must be a date like 2027-03-31 or a number of days like 90d (got {raw!r})."
        ) from None
    return timezone.make_aware(datetime.combine(day + timedelta(days=1), time.min))


class Command(BaseCommand):
    help = (
        "Manage REST API tokens: `token create USERNAME [--scope …] [--expires …]` prints a "
        "new bearer token (shown once, stored hashed), `token list [USERNAME]`, "
        "`token revoke PREFIX`."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        create = actions.add_parser("create", help="Create a token for a staff user.")
        create.add_argument("username")
        create.add_argument("--name", default="", help="What the token is for.")
        create.add_argument("--scope", action="append", default=[], help=SCOPE_HELP)
        create.add_argument(
            "--expires",
            help="Last day the token works (2027-03-31), or a number of days (90d). "
            "Without it the token does not expire.",
        )
        listing = actions.add_parser("list", help="List tokens (never their secrets).")
        listing.add_argument("username", nargs="?")
        revoke = actions.add_parser("revoke", help="Revoke a token by its prefix.")
        revoke.add_argument("prefix")

    def handle(self, *args: Any, action: str, **options: Any) -> None:
        if action == "create":
            self.create(options)
        elif action == "list":
            self.list(options["username"])
        else:
            token = ApiToken.objects.filter(prefix=options["prefix"]).first()
            if token is None:
                raise CommandError(f"No token with prefix {options['prefix']!r}.")
            revoke_token(token)
            self.stdout.write(f"Revoked {token.prefix}.")

    def create(self, options: dict[str, Any]) -> None:
        user = User.objects.filter(username=options["username"]).first()
        if user is None:
            raise CommandError(f"No staff user named {options['username']!r}.")
        if not user.is_active:
            raise CommandError(f"User {user.username!r} is deactivated.")
        scopes = [
            scope.strip()
            for given in options["scope"]
            for scope in given.split(",")
            if scope.strip()
        ]
        expires_at = parse_expiry(options["expires"]) if options["expires"] else None
        try:
            _token, raw = create_token(
                user, options["name"], scopes=scopes or None, expires_at=expires_at
            )
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from None
        self.stdout.write(raw)

    def list(self, username: str | None) -> None:
        tokens = ApiToken.objects.select_related("user")
        if username:
            tokens = tokens.filter(user__username=username)
        for token in tokens:
            if token.revoked_at:
                state = "revoked"
            elif token.is_expired:
                state = "expired"
            else:
                state = "active"
            used = token.last_used_at.isoformat() if token.last_used_at else "never"
            expires = token.expires_at.isoformat() if token.expires_at else "never"
            self.stdout.write(
                f"{token.prefix}  {token.user.username}  {state}  last used {used}  "
                f"expires {expires}  scopes {','.join(token.scopes)}  {token.name}"
            )
