from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from connexion.accounts.models import User
from connexion.api.models import ApiToken
from connexion.api.services import create_token, revoke_token


class Command(BaseCommand):
    help = (
        "Manage REST API tokens: `token create USERNAME` prints a new bearer token "
        "(shown once, stored hashed), `token list [USERNAME]`, `token revoke PREFIX`."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        create = actions.add_parser("create", help="Create a token for a staff user.")
        create.add_argument("username")
        create.add_argument("--name", default="", help="What the token is for.")
        listing = actions.add_parser("list", help="List tokens (never their secrets).")
        listing.add_argument("username", nargs="?")
        revoke = actions.add_parser("revoke", help="Revoke a token by its prefix.")
        revoke.add_argument("prefix")

    def handle(self, *args: Any, action: str, **options: Any) -> None:
        if action == "create":
            user = User.objects.filter(username=options["username"]).first()
            if user is None:
                raise CommandError(f"No staff user named {options['username']!r}.")
            if not user.is_active:
                raise CommandError(f"User {user.username!r} is deactivated.")
            _token, raw = create_token(user, options["name"])
            self.stdout.write(raw)
        elif action == "list":
            tokens = ApiToken.objects.select_related("user")
            if options["username"]:
                tokens = tokens.filter(user__username=options["username"])
            for token in tokens:
                state = "revoked" if token.revoked_at else "active"
                used = token.last_used_at.isoformat() if token.last_used_at else "never"
                self.stdout.write(
                    f"{token.prefix}  {token.user.username}  {state}  "
                    f"last used {used}  {token.name}"
                )
        else:
            token = ApiToken.objects.filter(prefix=options["prefix"]).first()
            if token is None:
                raise CommandError(f"No token with prefix {options['prefix']!r}.")
            revoke_token(token)
            self.stdout.write(f"Revoked {token.prefix}.")
