"""Data categories (policy 3.1-3.7), sensitivity, and how a field is declared."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext_lazy as _


class Category(models.TextChoices):
    PERSONAL = "3.1", _("3.1 personal details")
    CONTACT = "3.2", _("3.2 contact details")
    IDENTITY = "3.3", _("3.3 identity verification")
    WORK = "3.4", _("3.4 work details")
    SERVICE_USAGE = "3.5", _("3.5 service usage")
    PAYMENT = "3.6", _("3.6 payment")
    COMMUNICATIONS = "3.7", _("3.7 communications")


class Sensitivity(models.TextChoices):
    NORMAL = "normal", _("normal")
    RESTRICTED = "restricted", _("restricted")  # shown only to roles with the category


@dataclass(frozen=True)
class PersonalField:
    category: Category
    sensitivity: Sensitivity = Sensitivity.NORMAL
