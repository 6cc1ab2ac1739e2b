"""An erased (anonymized) person is read-only: the services refuse every write
and every new link, so the pages and the API refuse too; lists and exports
leave the person out, and the person's page says when and why it was erased."""

import json

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from connexion.api.services import create_token
from connexion.people.merge import merge_people
from connexion.people.models import EmailAddress, Person
from connexion.people.services import (
    ContactDetails,
    add_contact_point,
    add_relationship,
    create_person,
    create_source,
    update_person,
)
from connexion.privacy.engines.erasure import erase_person
from connexion.privacy.models import SubjectRequest
from connexion.sales.activities.services import add_note, create_task
from connexion.sales.models import Pipeline, Product
from connexion.sales.services.deals import create_deal
from connexion.sales.services.interests import record_product_interest
from connexion.sales.services.leads import create_lead
from tests.exports import export_people
from tests.privacy.request_support import open_by_api

pytestmark = pytest.mark.django_db


@pytest.fixture
def source(db):
    return create_source(None, kind="direct", channel="phone")


@pytest.fixture
def admin(make_user):
    return make_user("admin1", roles=("admin",), language="en")


@pytest.fixture
def officer(make_user):
    return make_user("dpo", roles=("privacy_officer",), language="en")


@pytest.fixture
def pipeline(db):
    return Pipeline.objects.get(is_default=True)


@pytest.fixture
def request_for_erasure(officer) -> SubjectRequest:
    return open_by_api(officer, kind=SubjectRequest.Kind.ERASURE)


@pytest.fixture
def erased(source, officer, pipeline, request_for_erasure) -> Person:
    person = create_person(
        None,
        source=source,
        first_name_en="Erasable",
        last_name_en="Person",
        lifecycle_stage="customer",
        contacts=ContactDetails(emails=["erasable@example.com"]),
    )
    # A deal's value must stay in the revenue reports: the record stays, anonymized.
    create_deal(None, title="Policy", pipeline=pipeline, person=person, amount=1000)
    erase_person(person, actor=officer, request=request_for_erasure)
    person = Person.objects.get(pk=person.pk)
    assert person.anonymized_at is not None
    return person


@pytest.fixture
def live(source) -> Person:
    return create_person(None, source=source, first_name_en="Alive", last_name_en="Person")


def refused(call, field: str = "person") -> str:
    # The message is in the active language; English here, whatever ran before.
    with translation.override("en"), pytest.raises(ValidationError) as error:
        call()
    messages = error.value.message_dict[field]
    assert any("erased" in message for message in messages), messages
    return messages[0]


# --- services -----------------------------------------------------------------


def test_an_erased_person_cannot_be_edited_or_given_contact_points(admin, erased, source):
    refused(lambda: update_person(admin, erased, first_name_en="Back"))
    refused(
        lambda: add_contact_point(admin, erased, "email", {"email": "new@x.com"}, source=source)
    )
    assert not EmailAddress.objects.filter(person=erased).exists()


def test_an_erased_person_cannot_be_linked_to_anything_new(admin, erased, live, pipeline):
    refused(lambda: add_relationship(admin, live, erased, "friend"), "other")
    refused(lambda: create_deal(admin, title="More", pipeline=pipeline, person=erased))
    refused(lambda: create_lead(admin, person=erased))
    product = Product.objects.create(code="erased-test", name_th="ทดสอบ", name_en="Test")
    refused(
        lambda: record_product_interest(admin, erased, product, kind="interested", source="staff")
    )
    refused(lambda: add_note(admin, body="Hello", person=erased))
    refused(lambda: create_task(admin, title="Call", person=erased))


def test_an_erased_person_cannot_be_merged_either_way(admin, erased, live):
    refused(lambda: merge_people(admin, live, erased))
    refused(lambda: merge_people(admin, erased, live))
    assert Person.objects.get(pk=live.pk).merged_into_id is None


# --- pages --------------------------------------------------------------------


def test_the_page_says_when_and_under_which_request_it_was_erased(
    client, admin, erased, request_for_erasure
):
    client.force_login(admin)
    page = client.get(f"/people/{erased.pk}/").content.decode()
    assert "was erased on" in page
    assert request_for_erasure.reference in page
    assert f"/people/{erased.pk}/edit/" not in page


def test_the_contact_form_refuses_a_new_email(client, admin, erased):
    client.force_login(admin)
    response = client.post(
        f"/person/{erased.pk}/contacts/email/",
        {
            "email-email": "new@example.com",
            "email-source_kind": "direct",
            "email-source_channel": "phone",
        },
    )
    assert response.status_code == 422
    assert "erased" in response.content.decode()
    assert not EmailAddress.objects.filter(person=erased).exists()


def test_lists_and_exports_leave_the_erased_out(client, admin, erased, live):
    client.force_login(admin)
    listing = client.get("/people/").content.decode()
    assert f"/people/{live.pk}/" in listing
    assert f"/people/{erased.pk}/" not in listing
    export = export_people(client, "csv").content.decode("utf-8-sig")
    assert "Alive" in export
    assert str(erased) not in export


# --- API ----------------------------------------------------------------------


def test_the_api_refuses_to_edit_or_add_contacts(client, admin, erased):
    _token, raw = create_token(admin)
    headers = {"HTTP_AUTHORIZATION": f"Bearer {raw}", "HTTP_ACCEPT_LANGUAGE": "en"}
    patch = client.patch(
        f"/api/v1/persons/{erased.pk}",
        json.dumps({"first_name_en": "Back"}),
        content_type="application/json",
        **headers,
    )
    added = client.post(
        f"/api/v1/persons/{erased.pk}/contacts/email",
        json.dumps({"email": "new@example.com", "source": {"kind": "direct", "channel": "phone"}}),
        content_type="application/json",
        **headers,
    )
    for response in (patch, added):
        assert response.status_code == 422, response.content
        assert "erased" in response.content.decode()
    listed = client.get("/api/v1/persons", **headers).json()
    assert erased.pk not in [row["id"] for row in listed["items"]]
