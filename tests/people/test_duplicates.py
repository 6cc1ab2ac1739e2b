from datetime import date

import pytest

from connexion.audit.models import AuditEvent
from connexion.people import duplicates
from connexion.people.duplicates import find_duplicate_pairs, names_similar, normalize_name
from connexion.people.models import EmailAddress, Person
from connexion.people.services import ContactDetails, create_person, create_source

pytestmark = pytest.mark.django_db

NATIONAL_ID = "1101700230708"
OTHER_NATIONAL_ID = "3100600445473"
BORN = date(1985, 4, 12)


@pytest.fixture
def make_person(db):
    source = create_source(None, kind="direct", channel="phone")

    def make(contacts: ContactDetails | None = None, **fields) -> Person:
        return create_person(None, source=source, contacts=contacts or ContactDetails(), **fields)

    return make


def reasons_for(first: Person, second: Person) -> list[str] | None:
    key = (min(first.pk, second.pk), max(first.pk, second.pk))
    for pair in find_duplicate_pairs():
        if (pair.keep_id, pair.other_id) == key:
            return pair.reasons
    return None


# --- names ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("parts", "expected"),
    [
        (("นายสมชาย", "", "ใจดี"), "สมชายใจดี"),
        (("นาย สมชาย", "", "ใจดี"), "สมชายใจดี"),
        (("นางสาวสมหญิง", "", "รักไทย"), "สมหญิงรักไทย"),
        (("คุณากร", "", "ศรีสุข"), "คุณากรศรีสุข"),  # a name, not the title คุณ
        (("คุณ สมศรี", "", "ดีใจ"), "สมศรีดีใจ"),
        (("Mr. Somchai", "", "Jai-Dee"), "somchaijaidee"),
        (("  SOMCHAI ", "", " jaidee"), "somchaijaidee"),
        (("", "", ""), ""),
    ],
)
def test_names_are_normalized(parts, expected):
    assert normalize_name(*parts) == expected


def test_similarity_threshold():
    assert names_similar("สมชายใจดี", "สมชายใจดี")
    assert names_similar("somchaijaidee", "somchaijaide")
    assert not names_similar("somchaijaidee", "suwitsaetang")
    assert not names_similar("", "")


# --- exact matches ----------------------------------------------------------


def test_same_national_id(make_person):
    first = make_person(first_name_th="สมชาย", last_name_th="ใจดี", national_id=NATIONAL_ID)
    second = make_person(first_name_en="Somchai", last_name_en="J.", national_id=NATIONAL_ID)
    make_person(first_name_th="สุนีย์", national_id=OTHER_NATIONAL_ID)
    assert reasons_for(first, second) == ["national_id"]
    assert len(find_duplicate_pairs()) == 1


def test_same_passport(make_person):
    first = make_person(first_name_en="Ken", passport_number="tr1234567", passport_country="JP")
    second = make_person(first_name_en="Kenji", passport_number="TR1234567", passport_country="JP")
    third = make_person(first_name_en="Kim", passport_number="TR1234567", passport_country="KR")
    assert reasons_for(first, second) == ["passport"]
    assert reasons_for(first, third) is None


def test_same_email_whatever_its_case(make_person):
    first = make_person(
        first_name_en="Somchai", contacts=ContactDetails(emails=["Somchai@Example.co.th"])
    )
    second = make_person(first_name_en="Wichai", contacts=ContactDetails(emails=["x@example.com"]))
    # An older import kept the case and a stray space.
    EmailAddress.objects.filter(person=second).update(email=" SOMCHAI@example.CO.TH")
    assert reasons_for(first, second) == ["email"]


def test_same_phone_typed_in_different_formats(make_person):
    first = make_person(
        first_name_th="ก้อง", contacts=ContactDetails(phones=[("mobile", "081-234-5678")])
    )
    second = make_person(
        first_name_en="Kong", contacts=ContactDetails(phones=[("mobile", "+66 81 234 5678")])
    )
    third = make_person(
        first_name_en="Other", contacts=ContactDetails(phones=[("mobile", "0899999999")])
    )
    assert reasons_for(first, second) == ["phone"]
    assert reasons_for(first, third) is None


def test_one_pair_gathers_all_its_reasons(make_person):
    contacts = ContactDetails(emails=["a@example.com"], phones=[("mobile", "0812345678")])
    first = make_person(
        first_name_th="สมชาย",
        last_name_th="ใจดี",
        national_id=NATIONAL_ID,
        date_of_birth=BORN,
        contacts=contacts,
    )
    second = make_person(
        first_name_th="สมชาย",
        last_name_th="ใจดี",
        national_id=NATIONAL_ID,
        date_of_birth=BORN,
        contacts=contacts,
    )
    assert reasons_for(first, second) == ["national_id", "email", "phone", "name"]
    pair = find_duplicate_pairs()[0]
    assert (pair.keep_id, pair.other_id) == (first.pk, second.pk)  # the older one is kept


def test_three_people_sharing_an_email_make_three_pairs(make_person):
    people = [
        make_person(first_name_en=name, contacts=ContactDetails(emails=["family@example.com"]))
        for name in ("Ann", "Ben", "Cat")
    ]
    pairs = {(pair.keep_id, pair.other_id) for pair in find_duplicate_pairs()}
    assert pairs == {
        (people[0].pk, people[1].pk),
        (people[0].pk, people[2].pk),
        (people[1].pk, people[2].pk),
    }
    assert len(find_duplicate_pairs(limit=2)) == 2


# --- similar names ----------------------------------------------------------


def test_similar_thai_name_and_same_birth_date(make_person):
    first = make_person(title="นาย", first_name_th="สมชาย", last_name_th="ใจดี", date_of_birth=BORN)
    second = make_person(first_name_th="นายสมชาย", last_name_th="ใจดีย์", date_of_birth=BORN)
    assert reasons_for(first, second) == ["name"]


def test_similar_latin_name_and_same_birth_date(make_person):
    first = make_person(first_name_en="Somchai", last_name_en="Jaidee", date_of_birth=BORN)
    second = make_person(first_name_en="Mr Somchai", last_name_en="Jai Dee", date_of_birth=BORN)
    assert reasons_for(first, second) == ["name"]


def test_thai_and_latin_names_are_not_compared_with_each_other(make_person):
    first = make_person(first_name_th="สมชาย", last_name_th="ใจดี", date_of_birth=BORN)
    second = make_person(first_name_en="Somchai", last_name_en="Jaidee", date_of_birth=BORN)
    assert reasons_for(first, second) is None


def test_different_people_are_not_proposed(make_person):
    make_person(
        first_name_th="สมชาย",
        last_name_th="ใจดี",
        date_of_birth=BORN,
        national_id=NATIONAL_ID,
        contacts=ContactDetails(emails=["a@example.com"], phones=[("mobile", "0811111111")]),
    )
    make_person(
        first_name_th="สุนีย์",
        last_name_th="รักษ์ไทย",
        date_of_birth=BORN,
        national_id=OTHER_NATIONAL_ID,
        contacts=ContactDetails(emails=["b@example.com"], phones=[("mobile", "0822222222")]),
    )
    # The same name, born another day: namesakes, not duplicates.
    make_person(first_name_th="สมชาย", last_name_th="ใจดี", date_of_birth=date(1990, 1, 1))
    # The same name without any birth date.
    make_person(first_name_th="สมชาย", last_name_th="ใจดี")
    assert find_duplicate_pairs() == []


def test_large_birth_date_buckets_compare_near_neighbours(make_person, monkeypatch):
    monkeypatch.setattr(duplicates, "FULL_COMPARISON_LIMIT", 2)
    monkeypatch.setattr(duplicates, "WINDOW", 1)
    first = make_person(first_name_en="Somchai", last_name_en="Jaidee", date_of_birth=BORN)
    make_person(first_name_en="Anan", last_name_en="Boonmee", date_of_birth=BORN)
    second = make_person(first_name_en="Somchai", last_name_en="Jaideee", date_of_birth=BORN)
    make_person(first_name_en="Wichai", last_name_en="Saetang", date_of_birth=BORN)
    assert reasons_for(first, second) == ["name"]
    assert len(find_duplicate_pairs()) == 1


def test_merged_people_are_never_proposed(make_person):
    first = make_person(
        first_name_th="สมชาย",
        national_id=NATIONAL_ID,
        date_of_birth=BORN,
        contacts=ContactDetails(emails=["a@example.com"], phones=[("mobile", "0811111111")]),
    )
    second = make_person(
        first_name_th="สมชาย",
        national_id=NATIONAL_ID,
        date_of_birth=BORN,
        contacts=ContactDetails(emails=["a@example.com"], phones=[("mobile", "0811111111")]),
    )
    assert reasons_for(first, second) is not None
    Person.objects.filter(pk=second.pk).update(merged_into=first)
    assert find_duplicate_pairs() == []


def test_organization_contacts_are_not_people(make_person):
    from connexion.people.services import create_organization

    source = create_source(None, kind="direct", channel="phone")
    create_organization(
        None, source=source, name_en="Acme", contacts=ContactDetails(emails=["info@example.com"])
    )
    create_organization(
        None, source=source, name_en="Acme 2", contacts=ContactDetails(emails=["info@example.com"])
    )
    make_person(first_name_en="Ann", contacts=ContactDetails(emails=["info@example.com"]))
    assert find_duplicate_pairs() == []


# --- the page ---------------------------------------------------------------


@pytest.fixture
def sales(client, make_user):
    user = make_user("sales1", roles=("sales",), language="en")
    client.force_login(user)
    client.user = user
    return client


def test_page_shows_pairs_side_by_side_with_masked_ids(sales, make_person):
    first = make_person(
        first_name_th="สมชาย",
        last_name_th="ใจดี",
        national_id=NATIONAL_ID,
        contacts=ContactDetails(emails=["somchai@example.com"]),
    )
    second = make_person(first_name_en="Somchai", last_name_en="Jaidee", national_id=NATIONAL_ID)
    response = sales.get("/people/duplicates/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "same national ID" in html
    assert f"/people/merge/{first.pk}/{second.pk}/" in html
    assert "สมชาย ใจดี" in html and "Somchai Jaidee" in html and "somchai@example.com" in html
    assert NATIONAL_ID not in html and "1-1017-00230-70-8" not in html
    assert "x-xxxx-xxxxx-70-8" in html
    event = AuditEvent.objects.filter(kind="access", action="people.duplicates").latest("id")
    assert event.actor == sales.user
    assert sorted(event.details["ids"]) == sorted([str(first.pk), str(second.pk)])


def test_page_shows_full_ids_to_those_allowed(client, make_user, make_person):
    client.force_login(make_user("dpo", roles=("privacy_officer",), language="en"))
    make_person(first_name_th="สมชาย", national_id=NATIONAL_ID)
    make_person(first_name_th="สมชาย", national_id=NATIONAL_ID)
    assert "1-1017-00230-70-8" in client.get("/people/duplicates/").content.decode()


def test_page_is_paginated(sales, make_person, monkeypatch):
    monkeypatch.setattr(duplicates, "PAGE_SIZE", 2)
    for name in ("Ann", "Ben", "Cat"):
        make_person(first_name_en=name, contacts=ContactDetails(emails=["family@example.com"]))
    first = sales.get("/people/duplicates/")
    assert len(first.context["page"].object_list) == 2 and first.context["page"].has_next()
    second = sales.get("/people/duplicates/", {"page": 2})
    assert len(second.context["page"].object_list) == 1
    assert "Page 2 of 2" in second.content.decode()


def test_page_says_when_the_list_is_capped(sales, make_person, monkeypatch):
    monkeypatch.setattr(duplicates, "MAX_PAIRS", 2)
    for name in ("Ann", "Ben", "Cat"):
        make_person(first_name_en=name, contacts=ContactDetails(emails=["family@example.com"]))
    response = sales.get("/people/duplicates/")
    assert response.context["capped"] is True
    assert response.context["page"].paginator.count == 2
    assert "Only the first 2 pairs are listed" in response.content.decode()


def test_page_needs_the_people_permission(client, make_user):
    client.force_login(make_user("nobody", roles=(), language="en"))
    assert client.get("/people/duplicates/").status_code == 403


def test_page_with_nothing_to_propose(sales):
    response = sales.get("/people/duplicates/")
    assert response.status_code == 200
    assert "No likely duplicates found." in response.content.decode()
