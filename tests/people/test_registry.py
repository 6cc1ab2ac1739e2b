from django.apps import apps

from connexion.privacy.registry import (
    NOT_PERSONAL,
    PERSONAL_FIELDS,
    SUBJECT_DATA_APPS,
    SYSTEM_DATA_APPS,
    Category,
)


def test_every_app_is_classified():
    ours = {
        config.label for config in apps.get_app_configs() if config.name.startswith("connexion.")
    }
    assert ours - SUBJECT_DATA_APPS - SYSTEM_DATA_APPS == set()


def test_every_field_of_subject_data_is_declared():
    """A new field holding personal data cannot slip past the registry."""
    undeclared = []
    for label in SUBJECT_DATA_APPS:
        for model in apps.get_app_config(label).get_models():
            key = model._meta.label_lower
            declared = set(PERSONAL_FIELDS.get(key, {})) | NOT_PERSONAL.get(key, set())
            for field in model._meta.get_fields():
                if field.auto_created and not field.concrete:
                    continue  # reverse relations belong to the other model
                if field.name not in declared:
                    undeclared.append(f"{key}.{field.name}")
    assert undeclared == []


def test_declarations_name_real_fields():
    for key, fields in {**PERSONAL_FIELDS, **NOT_PERSONAL}.items():
        model = apps.get_model(key)
        names = {field.name for field in model._meta.get_fields()}
        assert set(fields) <= names, key


def test_identity_numbers_are_restricted_identity_data():
    person = PERSONAL_FIELDS["people.person"]
    assert person["national_id"].category == Category.IDENTITY
    assert person["national_id"].sensitivity == "restricted"
    assert person["first_name_th"].category == Category.PERSONAL
