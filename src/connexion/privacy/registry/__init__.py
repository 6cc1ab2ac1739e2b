"""The personal-data registry: every field of every model that describes a
data subject, declared once with its data category (policy 3.1-3.7) and its
sensitivity. Export, erasure, field permissions and the record of processing
read this; a test fails when a model field is in neither list."""

from connexion.privacy.registry.categories import Category, PersonalField, Sensitivity
from connexion.privacy.registry.erasure import (
    ERASURE_POLICIES,
    Erasure,
    ErasurePolicy,
    Mention,
)
from connexion.privacy.registry.not_personal import (
    NOT_PERSONAL,
    SUBJECT_DATA_APPS,
    SYSTEM_DATA_APPS,
)
from connexion.privacy.registry.personal import (
    DERIVED_FIELDS,
    PERSONAL_FIELDS,
    personal_fields,
)

__all__ = [
    "DERIVED_FIELDS",
    "ERASURE_POLICIES",
    "NOT_PERSONAL",
    "PERSONAL_FIELDS",
    "SUBJECT_DATA_APPS",
    "SYSTEM_DATA_APPS",
    "Category",
    "Erasure",
    "ErasurePolicy",
    "Mention",
    "PersonalField",
    "Sensitivity",
    "personal_fields",
]
