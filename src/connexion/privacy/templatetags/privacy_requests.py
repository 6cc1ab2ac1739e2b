"""`{% person_requests person as requests %}`: the person's data-subject
requests, for their privacy panel."""

from __future__ import annotations

from django import template

from connexion.people.models import Person
from connexion.privacy.models import SubjectRequest
from connexion.privacy.subject_requests.selectors import person_requests as read_person_requests

register = template.Library()


@register.simple_tag
def person_requests(person: Person) -> list[SubjectRequest]:
    return read_person_requests(person)
