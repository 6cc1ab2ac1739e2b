import pytest

from connexion.comms.services import save_template
from connexion.people.models import Organization
from connexion.people.services import (
    ContactDetails,
    create_organization,
    create_person,
    create_source,
)
from connexion.privacy.models import Purpose
from tests.smtp_server import smtp_server


@pytest.fixture
def smtp(settings):
    with smtp_server(settings) as inbox:
        yield inbox


@pytest.fixture
def product_contact(db) -> Purpose:
    return Purpose.objects.get(code="product-contact")


@pytest.fixture
def marketing(db) -> Purpose:
    return Purpose.objects.get(code="direct-marketing")


@pytest.fixture
def malee(db):
    source = create_source(None, kind="direct", channel="phone")
    employer = create_organization(
        None,
        source=source,
        kind=Organization.Kind.CUSTOMER,
        name_th="บริษัท ทดสอบ จำกัด",
        name_en="Test Co., Ltd.",
    )
    return create_person(
        None,
        source=source,
        title="นางสาว",
        first_name_th="มาลี",
        last_name_th="ศรีสุข",
        first_name_en="Malee",
        last_name_en="Srisuk",
        employer=employer,
        lifecycle_stage="customer",
        contacts=ContactDetails(emails=["malee@example.co.th", "malee.home@example.com"]),
    )


@pytest.fixture
def welcome(product_contact):
    return save_template(
        None,
        name="Welcome",
        purpose=product_contact,
        subject_th="สวัสดีคุณ{{ first_name }}",
        body_th="เรียน คุณ{{ first_name }} {{ last_name }}\n\nขอบคุณที่สนใจ จาก {{ staff_name }}",
        subject_en="Hello {{ first_name }}",
        body_en="Dear {{ title }} {{ full_name }} of {{ company }},\n\nThank you. {{ staff_name }}",
    )
