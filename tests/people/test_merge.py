from datetime import date

import pytest
from django.core.exceptions import ValidationError

from connexion.audit.models import AuditEvent
from connexion.people import merge as merge_module
from connexion.people.merge import field_groups, merge_people, person_links
from connexion.people.models import (
    EmailAddress,
    LifecycleChange,
    Organization,
    OrganizationRole,
    Person,
    PhoneNumber,
    PostalAddress,
    Relationship,
    SocialAccount,
    Source,
)
from connexion.people.selectors import PersonFilters, filter_people
from connexion.people.services import (
    PERSON_FIELDS,
    ContactDetails,
    add_organization_role,
    add_relationship,
    create_organization,
    create_person,
    create_source,
    update_person,
)

pytestmark = pytest.mark.django_db

NATIONAL_ID = "1101700230708"
OTHER_NATIONAL_ID = "3100600445473"
ADDRESS = {"house_number": "99/1", "road": "สุขุมวิท", "province": "กรุงเทพมหานคร", "postcode": "10110"}


@pytest.fixture
def direct_source(db):
    return create_source(None, kind="direct", channel="phone")


@pytest.fixture
def kept(direct_source):
    return create_person(
        None,
        source=direct_source,
        title="นาย",
        first_name_th="สมชาย",
        last_name_th="ใจดี",
        first_name_en="Somchai",
        national_id=NATIONAL_ID,
        tags=["vip"],
        contacts=ContactDetails(
            emails=["somchai@example.com", "shared@example.com"],
            phones=[("mobile", "081-234-5678")],
            addresses=[ADDRESS],
        ),
    )


@pytest.fixture
def other(direct_source):
    return create_person(
        None,
        source=direct_source,
        first_name_th="สมชาย",
        last_name_th="ใจดีย์",
        first_name_en="Somchay",
        last_name_en="Jaidee",
        nickname_th="ต้น",
        date_of_birth=date(1985, 4, 12),
        national_id=OTHER_NATIONAL_ID,
        passport_number="AA1234567",
        passport_country="TH",
        occupation="engineer",
        lifecycle_stage="customer",
        tags=["golf", "vip"],
        contacts=ContactDetails(
            emails=["Shared@Example.com", "work@example.com"],
            phones=[("mobile", "+66 89 999 8888"), ("landline", "02-123-4567")],
            socials=[("line", "somchay", "")],
            addresses=[ADDRESS],
        ),
    )


@pytest.fixture
def admin(make_user):
    return make_user("admin1", roles=("admin",), language="en")


@pytest.fixture
def sales_user(make_user):
    return make_user("sales1", roles=("sales",), language="en")


def reload(person: Person) -> Person:
    return Person.objects.get(pk=person.pk)


def test_every_person_field_can_be_chosen():
    covered = {name for group in field_groups() for name in group.fields}
    assert covered == PERSON_FIELDS
    passport = next(group for group in field_groups() if group.key == "passport_number")
    assert passport.fields == ("passport_number", "passport_country") and passport.restricted


def test_every_foreign_key_to_a_person_is_walked():
    links = {(model._meta.label_lower, fk.name) for model, fk in person_links()}
    assert links >= {
        ("people.emailaddress", "person"),
        ("people.phonenumber", "person"),
        ("people.socialaccount", "person"),
        ("people.postaladdress", "person"),
        ("people.organizationrole", "person"),
        ("people.relationship", "person"),
        ("people.relationship", "other"),
        ("people.lifecyclechange", "person"),
        ("people.source", "related_person"),
    }
    assert ("people.person", "merged_into") not in links


def test_chosen_fields_come_from_the_other_the_rest_stays(admin, kept, other):
    merge_people(
        admin, kept, other, take_from_other=["first_name_en", "date_of_birth", "lifecycle_stage"]
    )
    kept = reload(kept)
    assert kept.first_name_en == "Somchay"
    assert kept.date_of_birth == date(1985, 4, 12)
    assert kept.lifecycle_stage == "customer"
    # Not chosen: the kept person's value stays, even when empty.
    assert kept.last_name_th == "ใจดี"
    assert kept.occupation == ""
    assert kept.national_id == NATIONAL_ID
    update = AuditEvent.objects.filter(action="people.update_person", object_id=str(kept.pk))
    assert update.latest("id").details["first_name_en"] == ["Somchai", "Somchay"]


def test_linked_records_move_to_the_kept_person(admin, kept, other, direct_source):
    company = create_organization(None, source=direct_source, name_en="Acme")
    friend = create_person(None, source=direct_source, first_name_en="Friend")
    stranger = create_person(None, source=direct_source, first_name_en="Stranger")
    role = add_organization_role(None, other, company, "director")
    outgoing = add_relationship(None, other, friend, "colleague")
    incoming = add_relationship(None, stranger, other, "referred_by")
    between = add_relationship(None, other, kept, "colleague")
    reverse_between = add_relationship(None, kept, other, "payer_for")
    # Both already know the friend the same way: one relationship is enough.
    add_relationship(None, kept, stranger, "colleague")
    duplicate = add_relationship(None, other, stranger, "colleague")
    given = create_source(None, kind="related_person", channel="phone", related_person=other)
    history = list(LifecycleChange.objects.filter(person=other).values_list("pk", flat=True))

    merge_people(admin, kept, other)

    role.refresh_from_db()
    assert role.person_id == kept.pk
    assert Relationship.objects.get(pk=outgoing.pk).person_id == kept.pk
    assert Relationship.objects.get(pk=incoming.pk).other_id == kept.pk
    for gone in (between, reverse_between, duplicate):
        assert not Relationship.objects.filter(pk=gone.pk).exists()
    assert not Relationship.objects.filter(person=other).exists()
    assert not Relationship.objects.filter(other=other).exists()
    assert Source.objects.get(pk=given.pk).related_person_id == kept.pk
    assert set(history) <= set(
        LifecycleChange.objects.filter(person=kept).values_list("pk", flat=True)
    )
    assert sorted(reload(kept).tags.values_list("name", flat=True)) == ["golf", "vip"]
    assert not reload(other).tags.exists()


def test_contact_points_move_without_duplicates_or_second_primaries(admin, kept, other):
    merge_people(admin, kept, other)
    emails = list(EmailAddress.objects.filter(person=kept).order_by("id"))
    assert [e.email for e in emails] == [
        "somchai@example.com",
        "shared@example.com",
        "work@example.com",
    ]
    assert [e.email for e in emails if e.is_primary] == ["somchai@example.com"]
    phones = PhoneNumber.objects.filter(person=kept)
    assert {(p.kind, p.number, p.is_primary) for p in phones} == {
        ("mobile", "+66812345678", True),
        ("mobile", "+66899998888", False),  # demoted: the kept person has a primary mobile
        ("landline", "+6621234567", True),  # the only landline stays primary
    }
    assert SocialAccount.objects.get(person=kept).is_primary
    assert PostalAddress.objects.filter(person=kept).count() == 1
    for model in (EmailAddress, PhoneNumber, SocialAccount, PostalAddress):
        assert not model.objects.filter(person=other).exists()
    # The merged contact points can be found by search.
    assert "work@example.com" in reload(kept).search_text


def test_a_dropped_primary_twin_makes_the_kept_copy_primary(admin, direct_source):
    kept = create_person(
        None,
        source=direct_source,
        first_name_en="A",
        contacts=ContactDetails(emails=["one@example.com"]),
    )
    other = create_person(
        None,
        source=direct_source,
        first_name_en="B",
        contacts=ContactDetails(emails=["two@example.com"]),
    )
    # The kept person's copy of the other's primary email is not primary;
    # the kept person has no primary email at all.
    EmailAddress.objects.filter(person=kept).update(is_primary=False)
    twin = EmailAddress.objects.create(person=kept, email="two@example.com", source=direct_source)
    merge_people(admin, kept, other)
    assert list(
        EmailAddress.objects.filter(person=kept, is_primary=True).values_list("pk", flat=True)
    ) == [twin.pk]


def test_the_other_stays_as_a_tombstone(admin, kept, other):
    merge_people(admin, kept, other)
    tombstone = reload(other)
    assert tombstone.merged_into_id == kept.pk
    assert (tombstone.first_name_th, tombstone.last_name_th) == ("สมชาย", "ใจดีย์")
    assert tombstone.national_id == tombstone.passport_number == tombstone.passport_country == ""
    assert tombstone.date_of_birth is None and tombstone.nickname_th == ""
    assert tombstone.occupation == ""
    listed = set(filter_people(admin, PersonFilters()).values_list("pk", flat=True))
    assert kept.pk in listed and other.pk not in listed
    event = AuditEvent.objects.filter(action="people.merged_into").latest("id")
    assert event.object_id == str(other.pk)
    assert event.details == {"merged_into": [None, str(kept.pk)]}


def test_the_audit_entry_can_undo_the_merge(admin, kept, other):
    mobile = PhoneNumber.objects.get(person=other, kind="mobile")
    work = EmailAddress.objects.get(person=other, email="work@example.com")
    shared = EmailAddress.objects.get(person=other, email="shared@example.com")
    lifecycle = list(LifecycleChange.objects.filter(person=other).values_list("pk", flat=True))
    merge_people(admin, kept, other)
    event = AuditEvent.objects.get(action="people.merge")
    assert (event.object_type, event.object_id, event.actor) == (
        "people.person",
        str(kept.pk),
        admin,
    )
    details = event.details
    assert details["merged"] == [str(other.pk), str(kept.pk)]
    before = details["other_before"]
    assert before["last_name_th"] == "ใจดีย์"
    assert before["date_of_birth"] == "1985-04-12"
    assert before["occupation"] == "engineer"
    assert before["passport_country"] == "TH"
    assert before["tag_names"] == ["golf", "vip"]
    # Identity numbers at the top level, where history views mask them.
    assert details["national_id"] == [OTHER_NATIONAL_ID, NATIONAL_ID]
    assert details["passport_number"] == ["AA1234567", ""]
    assert work.pk in details["moved"]["people.emailaddress.person"]
    assert mobile.pk in details["moved"]["people.phonenumber.person"]
    assert mobile.pk in details["demoted"]["people.phonenumber.person"]
    assert details["moved"]["people.lifecyclechange.person"] == lifecycle
    dropped = details["dropped"]["people.emailaddress.person"]
    assert [row["id"] for row in dropped] == [shared.pk]
    assert dropped[0]["email"] == "shared@example.com"


def test_the_history_hides_the_other_national_id_from_sales(client, admin, sales_user, kept, other):
    merge_people(admin, kept, other)
    client.force_login(sales_user)
    html = client.get(f"/people/{kept.pk}/").content.decode()
    assert OTHER_NATIONAL_ID not in html and "3-1006-00445-47-3" not in html
    assert "AA1234567" not in html


def test_identity_numbers_cannot_be_chosen_without_the_permission(sales_user, kept, other):
    merge_people(sales_user, kept, other, take_from_other=["national_id", "passport_number"])
    kept = reload(kept)
    assert kept.national_id == NATIONAL_ID  # the kept person's stays
    # The kept person had no passport: the other's is taken.
    assert (kept.passport_number, kept.passport_country) == ("AA1234567", "TH")


def test_identity_numbers_can_be_chosen_with_the_permission(admin, kept, other):
    merge_people(admin, kept, other, take_from_other=["national_id"])
    assert reload(kept).national_id == OTHER_NATIONAL_ID
    assert reload(kept).passport_number == ""  # not chosen


def test_a_person_cannot_be_merged_with_themselves(admin, kept):
    with pytest.raises(ValidationError):
        merge_people(admin, kept, reload(kept))
    assert reload(kept).merged_into_id is None


def test_an_already_merged_person_cannot_be_merged(admin, kept, other, direct_source):
    third = create_person(None, source=direct_source, first_name_en="Third")
    merge_people(admin, kept, other)
    with pytest.raises(ValidationError):
        merge_people(admin, third, reload(other))
    with pytest.raises(ValidationError):
        merge_people(admin, reload(other), third)
    assert reload(third).merged_into_id is None
    assert AuditEvent.objects.filter(action="people.merge").count() == 1


def test_unknown_field_names_are_a_programming_error(admin, kept, other):
    with pytest.raises(TypeError):
        merge_people(admin, kept, other, take_from_other=["search_text"])


def test_the_merge_is_all_or_nothing(admin, kept, other, monkeypatch):
    def fail(*args, **kwargs):
        raise RuntimeError("audit log unavailable")

    before = {
        model: set(model.objects.filter(person=other).values_list("pk", flat=True))
        for model in (EmailAddress, PhoneNumber, SocialAccount, PostalAddress, LifecycleChange)
    }
    monkeypatch.setattr(merge_module, "record_change", fail)
    with pytest.raises(RuntimeError):
        merge_people(admin, kept, other, take_from_other=["first_name_en", "national_id"])
    other, kept = reload(other), reload(kept)
    assert other.merged_into_id is None
    assert other.national_id == OTHER_NATIONAL_ID and other.date_of_birth == date(1985, 4, 12)
    assert kept.first_name_en == "Somchai" and kept.national_id == NATIONAL_ID
    for model, ids in before.items():
        assert set(model.objects.filter(person=other).values_list("pk", flat=True)) == ids
    assert sorted(other.tags.values_list("name", flat=True)) == ["golf", "vip"]
    assert list(kept.tags.values_list("name", flat=True)) == ["vip"]
    assert not AuditEvent.objects.filter(
        action__in=["people.merge", "people.update_person"]
    ).exists()


def test_an_invalid_choice_changes_nothing(admin, kept, other, monkeypatch):
    real_update = merge_module.update_person

    def update_failing_for_the_tombstone(actor, person, **changes):
        if person.pk == other.pk:
            raise ValidationError({"first_name_th": ["broken"]})
        return real_update(actor, person, **changes)

    monkeypatch.setattr(merge_module, "update_person", update_failing_for_the_tombstone)
    with pytest.raises(ValidationError):
        merge_people(admin, kept, other, take_from_other=["date_of_birth"])
    assert reload(kept).date_of_birth is None
    assert EmailAddress.objects.filter(person=other).count() == 2


# --- the pages --------------------------------------------------------------


def test_comparison_page_masks_identity_numbers_for_sales(client, sales_user, kept, other):
    client.force_login(sales_user)
    response = client.get(f"/people/merge/{kept.pk}/{other.pk}/")
    assert response.status_code == 200
    html = response.content.decode()
    assert OTHER_NATIONAL_ID not in html and "3-1006-00445-47-3" not in html
    assert "x-xxxx-xxxxx-47-3" in html
    assert "AA1234567" not in html
    assert 'name="choice_national_id"' not in html
    assert 'name="choice_passport_number"' not in html
    assert 'name="choice_date_of_birth"' in html
    assert "You may not see identity numbers" in html
    event = AuditEvent.objects.filter(kind="access", action="people.merge_compare").latest("id")
    assert sorted(event.details["ids"]) == sorted([str(kept.pk), str(other.pk)])


def test_comparison_page_lets_the_permitted_choose_identity_numbers(client, admin, kept, other):
    client.force_login(admin)
    html = client.get(f"/people/merge/{kept.pk}/{other.pk}/").content.decode()
    assert "3-1006-00445-47-3" in html
    assert 'name="choice_national_id"' in html
    # Suggested: fill what the kept person lacks, keep what it has.
    assert 'name="choice_date_of_birth" value="other" checked' in html
    assert 'name="choice_first_name_en" value="kept" checked' in html


def test_posting_the_choices_merges(client, admin, kept, other):
    client.force_login(admin)
    response = client.post(
        f"/people/merge/{kept.pk}/{other.pk}/",
        {
            "choice_first_name_en": "other",
            "choice_national_id": "kept",
            "choice_date_of_birth": "other",
        },
    )
    assert response.status_code == 302 and response.url == f"/people/{kept.pk}/"
    kept = reload(kept)
    assert kept.first_name_en == "Somchay" and kept.date_of_birth == date(1985, 4, 12)
    assert kept.national_id == NATIONAL_ID
    assert reload(other).merged_into_id == kept.pk


def test_sales_cannot_smuggle_an_identity_choice(client, sales_user, kept, other):
    client.force_login(sales_user)
    client.post(f"/people/merge/{kept.pk}/{other.pk}/", {"choice_national_id": "other"})
    assert reload(kept).national_id == NATIONAL_ID
    assert reload(other).merged_into_id == kept.pk


def test_pages_refuse_a_merge_with_oneself_or_a_tombstone(client, admin, kept, other):
    client.force_login(admin)
    response = client.get(f"/people/merge/{kept.pk}/{kept.pk}/")
    assert response.status_code == 400
    assert "cannot be merged with itself" in response.content.decode()
    assert client.post(f"/people/merge/{kept.pk}/{kept.pk}/").status_code == 422
    merge_people(admin, kept, other)
    response = client.post(f"/people/merge/{other.pk}/{kept.pk}/")
    assert response.status_code == 422
    assert "already merged" in response.content.decode()
    assert reload(kept).merged_into_id is None


def test_merge_pages_need_the_people_permission(client, make_user, kept, other):
    client.force_login(make_user("nobody", roles=(), language="en"))
    assert client.get(f"/people/merge/{kept.pk}/{other.pk}/").status_code == 403
    assert client.post(f"/people/merge/{kept.pk}/{other.pk}/").status_code == 403
    assert reload(other).merged_into_id is None


def test_unknown_people_are_not_found(client, admin, kept):
    client.force_login(admin)
    assert client.get(f"/people/merge/{kept.pk}/999999/").status_code == 404


def test_employer_and_owner_can_be_taken_from_the_other(admin, kept, other, direct_source):
    company = create_organization(None, source=direct_source, name_en="Acme")
    update_person(None, other, employer=company, owner=admin)
    merge_people(admin, kept, other, take_from_other=["employer", "owner"])
    kept = reload(kept)
    assert kept.employer_id == company.pk and kept.owner_id == admin.pk
    assert reload(other).employer_id is None
    assert Organization.objects.filter(pk=company.pk).exists()
    assert OrganizationRole.objects.count() == 0
