from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from connexion.accounts.models import User
from connexion.accounts.roles import ADMIN
from connexion.accounts.services import create_staff_user, generate_password, set_password


class Command(BaseCommand):
    help = (
        "Create an administrator with a generated password and print the sign-in. "
        "With --reset-password, give an existing user a new generated password."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--username", default="admin", help="Username (default: admin).")
        parser.add_argument("--email", default="", help="Email address for password resets.")
        parser.add_argument(
            "--reset-password",
            action="store_true",
            help="If the user exists, replace its password with a new generated one.",
        )

    def handle(self, *args: Any, username: str, email: str, reset_password: bool, **options: Any):
        user = User.objects.filter(username=username).first()
        if user and not reset_password:
            raise CommandError(
                f"User {username!r} already exists. Use --reset-password to give it a new password."
            )
        if user:
            password = generate_password()
            set_password(user, password)
        else:
            try:
                user, password = create_staff_user(username, email=email, roles=[ADMIN])
            except ValidationError as exc:
                raise CommandError("; ".join(exc.messages)) from None
        self.stdout.write(f"Username: {user.username}\nPassword: {password}")
