import pytest

from connexion.people.services import ContactDetails, create_person, create_source

NATIONAL_ID = "1101700230708"
OTHER_NATIONAL_ID = "3100600445473"
TAX_ID = "0105536000313"


@pytest.fixture
def source(db):
    return create_source(None, kind="direct", channel="phone")


@pytest.fixture
def somchai(source):
    return create_person(
        None,
        source=source,
        title="นาย",
        first_name_th="สมชาย",
        last_name_th="ใจดี",
        first_name_en="Somchai",
        last_name_en="Jaidee",
        nickname_th="ต้น",
        national_id=NATIONAL_ID,
        contacts=ContactDetails(
            emails=["Somchai@Example.co.th"], phones=[("mobile", "081-234-5678")]
        ),
    )
