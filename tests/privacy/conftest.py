import pytest

from connexion.people.services import ContactDetails, create_person, create_source
from connexion.privacy.models import Purpose


@pytest.fixture
def person(db):
    source = create_source(None, kind="direct", channel="phone")
    return create_person(
        None,
        source=source,
        first_name_th="สมศรี",
        last_name_th="ใจดี",
        lifecycle_stage="customer",
        contacts=ContactDetails(
            emails=["somsri@example.co.th"], phones=[("mobile", "081-234-5678")]
        ),
    )


@pytest.fixture
def marketing(db) -> Purpose:
    return Purpose.objects.get(code="direct-marketing")


@pytest.fixture
def product_contact(db) -> Purpose:
    return Purpose.objects.get(code="product-contact")


@pytest.fixture
def service(db) -> Purpose:
    return Purpose.objects.get(code="service")


@pytest.fixture
def legal(db) -> Purpose:
    return Purpose.objects.get(code="legal-contact")
