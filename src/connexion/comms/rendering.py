"""Fills a template's placeholders. Plain substitution of a fixed set of names:
a template written by staff can never run code, read attributes or reach data
other than the values listed here."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from django.utils.html import escape, linebreaks
from django.utils.translation import gettext_lazy as _

from connexion.people.models import Person

PLACEHOLDER = re.compile(r"\{\{\s*([^{}]*?)\s*\}\}")

# name -> what it stands for (shown to whoever writes a template)
PLACEHOLDERS = {
    "title": _("the person's title (นาย, Ms …)"),
    "first_name": _("first name"),
    "last_name": _("last name"),
    "full_name": _("full name"),
    "nickname": _("nickname"),
    "company": _("the person's employer"),
    "staff_name": _("your name"),
    "staff_email": _("your email address"),
}


def unknown_placeholders(text: str) -> list[str]:
    """Names used in `text` that are not placeholders, and stray braces."""
    problems = [name for name in PLACEHOLDER.findall(text) if name not in PLACEHOLDERS]
    leftover = PLACEHOLDER.sub("", text)
    if "{{" in leftover or "}}" in leftover:
        problems.append("{{ … }}")
    return problems


def _pick(language: str, thai: str, latin: str) -> str:
    return (thai or latin) if language == "th" else (latin or thai)


def person_values(person: Person, language: str, sender: Any = None) -> dict[str, str]:
    first = _pick(language, person.first_name_th, person.first_name_en)
    last = _pick(language, person.last_name_th, person.last_name_en)
    employer = person.employer
    company = ""
    if employer is not None:
        company = _pick(language, employer.name_th, employer.name_en)
    return {
        "title": person.title,
        "first_name": first,
        "last_name": last,
        "full_name": _pick(language, person.name_th, person.name_en),
        "nickname": _pick(language, person.nickname_th, person.nickname_en),
        "company": company or person.employer_name,
        "staff_name": sender.display_name() if sender is not None else "",
        "staff_email": getattr(sender, "email", "") or "",
    }


def fill(text: str, values: dict[str, str]) -> str:
    return PLACEHOLDER.sub(lambda match: values.get(match.group(1), match.group(0)), text)


@dataclass(frozen=True)
class RenderedEmail:
    subject: str
    body: str

    @property
    def html(self) -> str:
        """The HTML part: the text escaped, paragraphs kept."""
        return linebreaks(escape(self.body))


def render(subject: str, body: str, values: dict[str, str]) -> RenderedEmail:
    # A subject is one header line: a value cannot add another.
    one_line = " ".join(fill(subject, values).split())
    return RenderedEmail(subject=one_line, body=fill(body, values))
