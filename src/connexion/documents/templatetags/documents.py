"""`{% documents_panel owner as panel %}`: the identity documents of a person or
an organization, for viewers with the 3.3 permission only (and logged)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django import template

from connexion.documents import selectors
from connexion.documents.forms import UploadForm
from connexion.documents.models import IdentityDocument
from connexion.people.models import Organization, Person

register = template.Library()
FORM_PREFIX = "document"


@dataclass
class DocumentsPanel:
    owner: Person | Organization
    owner_type: str
    documents: list[IdentityDocument]
    form: UploadForm
    may_add: bool
    may_delete: bool


def owner_type(owner: Person | Organization) -> str:
    return "person" if isinstance(owner, Person) else "organization"


@register.simple_tag(takes_context=True)
def documents_panel(context: template.Context, owner: Any) -> DocumentsPanel | None:
    request = context.get("request")
    viewer = getattr(request, "user", None)
    if owner is None or not selectors.can_view(viewer):
        return None
    return DocumentsPanel(
        owner=owner,
        owner_type=owner_type(owner),
        documents=selectors.documents_of(viewer, owner),
        form=context.get("document_form") or UploadForm(prefix=FORM_PREFIX),
        may_add=selectors.can_add(viewer),
        may_delete=selectors.can_delete(viewer),
    )
