from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from connexion.ops.demo import load_demo_data
from connexion.people.models import Person


class Command(BaseCommand):
    help = (
        "Load realistic Thai demo data: people with Thai and Latin names, addresses "
        "and phone numbers, and corporate customers."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--people", type=int, default=120, help="How many people (120).")
        parser.add_argument(
            "--organizations", type=int, default=10, help="How many organizations (10)."
        )
        parser.add_argument(
            "--seed", type=int, default=2569, help="Random seed, for repeatability."
        )
        parser.add_argument(
            "--if-empty", action="store_true", help="Do nothing when people already exist."
        )

    def handle(
        self, *args: Any, people: int, organizations: int, seed: int, if_empty: bool, **options: Any
    ) -> None:
        if if_empty and Person.objects.exists():
            self.stdout.write("Demo data skipped: the database already holds people.")
            return
        summary = load_demo_data(people=people, organizations=organizations, seed=seed)
        self.stdout.write(
            f"Demo data loaded: {summary.people} people, {summary.organizations} organizations."
        )
