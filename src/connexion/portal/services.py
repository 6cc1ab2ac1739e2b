"""Writes of the privacy center: the published contact, the cookie policy and
the proof of cookie choices, consents given or withdrawn by the person
themselves, and the public web forms (built by staff, sent by visitors).

Each write is one transaction with its audit entry, and refuses bad input with
a `ValidationError` keyed by field, writing nothing then. What a visitor does
is done by `PUBLIC`: an anonymous actor, so that the audit log shows the web
interface as the channel and no staff member as the author."""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Max
from django.utils import timezone, translation
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from connexion.accounts.actors import Actor, acting_user
from connexion.audit.services import record_change
from connexion.lib.phone import InvalidPhoneNumber, to_e164
from connexion.people import services as people
from connexion.people.models import Person, Source
from connexion.portal.models import (
    CookieConsent,
    CookiePolicy,
    PrivacyContact,
    WebForm,
    WebFormSubmission,
)
from connexion.privacy.ledger import services as privacy
from connexion.privacy.models import CONSENT_BASES, ConsentEvent, PrivacyNotice, Purpose
from connexion.privacy.subject_requests.intake import match_person

# The visitor: no staff user, but the web interface as the audit channel.
PUBLIC = AnonymousUser()

COOKIE_CATEGORIES = ("preferences", "analytics", "marketing")
# The cookie policy built into the product counts as version 1.
BUILT_IN_COOKIE_POLICY = 1
VISITOR_ID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
THAI_SCRIPT = re.compile(r"[\u0e00-\u0e7f]")
# A follow-up a day after the form arrived.
FOLLOW_UP_AFTER = timedelta(days=1)


def _lines(text: str) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


def normal_origin(value: str) -> str | None:
    """`https://www.example.co.th` (scheme, host, port; nothing else), or None."""
    parts = urlsplit(value.strip())
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        return None
    # urlsplit takes "a.example; script-src-attr 'unsafe-inline'" for a host: the
    # origin goes into a Content-Security-Policy, where it would add directives.
    if re.search(r"[\s;,'\"\\\x00-\x1f\x7f]", parts.hostname):
        return None
    if parts.path not in {"", "/"} or parts.query or parts.fragment or parts.username:
        return None
    try:
        port = parts.port
    except ValueError:
        return None
    return f"{parts.scheme}://{parts.hostname}{f':{port}' if port else ''}"


def clean_origins(text: str, field: str) -> tuple[str, dict[str, list[str]]]:
    """The origins one a line, normalized; errors keyed by `field`."""
    cleaned, wrong = [], []
    for line in _lines(text):
        origin = normal_origin(line)
        if origin is None:
            wrong.append(line)
        elif origin not in cleaned:
            cleaned.append(origin)
    if wrong:
        message = _(
            "“%(value)s” is not a website origin: write the scheme and the host only, "
            "such as https://www.example.co.th"
        ) % {"value": wrong[0]}
        return "", {field: [message]}
    return "\n".join(cleaned), {}


# --- the privacy contact ----------------------------------------------------------

CONTACT_FIELDS = (
    "controller_name_th",
    "controller_name_en",
    "dpo_name",
    "email",
    "phone",
    "postal_address_th",
    "postal_address_en",
    "website_origins",
)


def privacy_contact() -> PrivacyContact:
    """The published contact; an empty, unsaved one until the officer fills it in."""
    found = PrivacyContact.objects.filter(pk=PrivacyContact.SINGLETON_ID).first()
    return found or PrivacyContact(pk=PrivacyContact.SINGLETON_ID)


@transaction.atomic
def save_privacy_contact(actor: Actor, **values: Any) -> PrivacyContact:
    unknown = set(values) - set(CONTACT_FIELDS)
    if unknown:
        raise TypeError(f"not contact fields: {sorted(unknown)}")
    errors: dict[str, list[str]] = {}
    values = {name: str(value or "").strip() for name, value in values.items()}
    if "website_origins" in values:
        values["website_origins"], origin_errors = clean_origins(
            values["website_origins"], "website_origins"
        )
        errors.update(origin_errors)
    if values.get("email"):
        try:
            validate_email(values["email"])
        except ValidationError:
            errors["email"] = [_("Enter a valid email address.")]
    if values.get("phone"):
        try:
            values["phone"] = to_e164(values["phone"])
        except InvalidPhoneNumber:
            errors["phone"] = [
                _("“%(value)s” is not a valid phone number.") % {"value": values["phone"]}
            ]
    contact = privacy_contact()
    merged = {name: values.get(name, getattr(contact, name)) for name in CONTACT_FIELDS}
    if not (merged["controller_name_th"] or merged["controller_name_en"]):
        errors["controller_name_th"] = [_("Give the business's name in Thai or English.")]
    if not (merged["email"] or merged["postal_address_th"] or merged["postal_address_en"]):
        errors["email"] = [_("Publish at least an email or a postal address for privacy matters.")]
    if errors:
        raise ValidationError(errors)
    changes = {
        name: [getattr(contact, name) or None, value or None]
        for name, value in merged.items()
        if getattr(contact, name) != value
    }
    for name, value in merged.items():
        setattr(contact, name, value)
    contact.updated_by = acting_user(actor)
    contact.save()
    if changes:
        record_change(actor, "portal.save_privacy_contact", contact, changes)
    return contact


# --- the cookie policy and the proof of each choice -------------------------------


def cookie_policy_version() -> int:
    latest = CookiePolicy.objects.aggregate(version=Max("version"))["version"]
    return latest or BUILT_IN_COOKIE_POLICY


def current_cookie_policy() -> CookiePolicy | None:
    return CookiePolicy.objects.order_by("-version").first()


@transaction.atomic
def publish_cookie_policy(actor: Actor, *, text_th: str, text_en: str) -> CookiePolicy:
    """A new version: every visitor is asked again."""
    errors: dict[str, list[str]] = {}
    if not text_th.strip():
        errors["text_th"] = [_("Give the Thai text.")]
    if not text_en.strip():
        errors["text_en"] = [_("Give the English text.")]
    if errors:
        raise ValidationError(errors)
    # Serializes two publications: each gets its own number.
    list(CookiePolicy.objects.select_for_update().values_list("pk", flat=True))
    policy = CookiePolicy.objects.create(
        version=cookie_policy_version() + 1,
        text_th=text_th.strip(),
        text_en=text_en.strip(),
        published_at=timezone.now(),
        published_by=acting_user(actor),
    )
    record_change(
        actor, "portal.publish_cookie_policy", policy, {"version": [None, policy.version]}
    )
    return policy


def visitor_from_cookie(raw: str | None) -> str:
    """The visitor ID in the consent cookie the banner wrote, else ""."""
    import json
    from urllib.parse import unquote

    if not raw:
        return ""
    try:
        value = json.loads(unquote(raw))
    except ValueError:
        return ""
    visitor = value.get("id") if isinstance(value, dict) else None
    return visitor if isinstance(visitor, str) and VISITOR_ID.match(visitor) else ""


def record_cookie_consent(
    *,
    visitor_id: Any,
    policy_version: Any,
    choices: Any,
    ip_address: str | None,
    user_agent: str,
    page_origin: str,
    at: datetime | None = None,
) -> CookieConsent:
    """Stores the proof of a visitor's choice: which categories, under which
    policy version, when, from where."""
    errors: dict[str, list[str]] = {}
    if not isinstance(visitor_id, str) or not VISITOR_ID.match(visitor_id):
        errors["visitor_id"] = [_("The visitor ID is missing or malformed.")]
    published = set(CookiePolicy.objects.values_list("version", flat=True))
    if (
        not isinstance(policy_version, int)
        or isinstance(policy_version, bool)
        or policy_version not in published | {BUILT_IN_COOKIE_POLICY}
    ):
        errors["policy_version"] = [_("This cookie policy version does not exist.")]
    well_formed = (
        isinstance(choices, dict)
        and not set(choices) - {"necessary", *COOKIE_CATEGORIES}
        and all(isinstance(choices.get(name), bool) for name in COOKIE_CATEGORIES)
    )
    if not well_formed:
        errors["choices"] = [
            _("Give a choice for each category: %(names)s.")
            % {"names": ", ".join(COOKIE_CATEGORIES)}
        ]
    if errors:
        raise ValidationError(errors)
    given = {name: choices[name] for name in COOKIE_CATEGORIES}
    if all(given.values()):
        action = CookieConsent.Action.ACCEPT_ALL
    elif not any(given.values()):
        action = CookieConsent.Action.REJECT_ALL
    else:
        action = CookieConsent.Action.CHOOSE
    with transaction.atomic():
        # A visitor already linked to a person stays linked.
        linked = (
            CookieConsent.objects.filter(visitor_id=visitor_id, person__isnull=False)
            .order_by("-linked_at")
            .first()
        )
        return CookieConsent.objects.create(
            visitor_id=visitor_id,
            policy_version=policy_version,
            action=action,
            occurred_at=at or timezone.now(),
            ip_address=ip_address,
            user_agent=(user_agent or "")[:400],
            page_origin=(page_origin or "")[:200],
            person=linked.person if linked else None,
            linked_at=timezone.now() if linked else None,
            **given,
        )


@transaction.atomic
def link_visitor(actor: Actor, visitor_id: str, person: Person) -> int:
    """The visitor identified themselves (a form, the privacy center): their
    cookie choices become part of the person's record."""
    if not visitor_id or not VISITOR_ID.match(visitor_id) or person.merged_into_id:
        return 0
    linked = CookieConsent.objects.filter(visitor_id=visitor_id, person__isnull=True).update(
        person=person, linked_at=timezone.now()
    )
    if linked:
        record_change(
            actor,
            "portal.link_visitor",
            person,
            {f"visitor:{visitor_id[:8]}": [None, f"{linked} cookie choices linked"]},
        )
    return linked


# --- consents given or withdrawn by the person, in the privacy center ----------------


def consent_wording(purpose: Purpose, notice: PrivacyNotice) -> str:
    """The sentence shown next to a consent button, in the visitor's language:
    what is recorded as the wording the person agreed to."""
    name = (
        purpose.name_th
        if (translation.get_language() or "th").startswith("th")
        else (purpose.name_en)
    )
    return _(
        "I agree that my personal data is used for: %(purpose)s (privacy notice version "
        "%(version)s)."
    ) % {"purpose": name, "version": notice.version}


def change_consent(
    person: Person,
    purpose: Purpose,
    action: str,
    *,
    notice: PrivacyNotice | None,
    channel: str = ConsentEvent.Channel.PRIVACY_CENTER,
    ip_address: str | None = None,
    user_agent: str = "",
) -> ConsentEvent:
    """One click of the person's own: give (under the notice shown) or withdraw."""
    if action == ConsentEvent.Action.GIVEN:
        if notice is None:
            raise ValidationError({"notice": [_("No privacy notice is in effect yet.")]})
        return privacy.give_consent(
            PUBLIC,
            person,
            purpose,
            wording=consent_wording(purpose, notice),
            channel=channel,
            notice=notice,
            ip_address=ip_address,
            user_agent=user_agent,
        )
    if action == ConsentEvent.Action.WITHDRAWN:
        return privacy.withdraw_consent(
            PUBLIC,
            person,
            purpose,
            channel=channel,
            ip_address=ip_address,
            user_agent=user_agent,
        )
    raise ValidationError({"action": [_("Choose to give or to withdraw the consent.")]})


# --- web forms ---------------------------------------------------------------------


@dataclass(frozen=True)
class FormField:
    key: str
    label: Promise
    kind: str  # text, email, phone, textarea
    max_length: int


FORM_FIELDS: dict[str, FormField] = {
    field.key: field
    for field in (
        FormField("first_name", gettext_lazy("First name"), "text", 100),
        FormField("last_name", gettext_lazy("Last name"), "text", 100),
        FormField("email", gettext_lazy("Email"), "email", 254),
        FormField("phone", gettext_lazy("Phone"), "phone", 30),
        FormField("company", gettext_lazy("Company"), "text", 200),
        FormField("position", gettext_lazy("Position"), "text", 100),
        FormField("message", gettext_lazy("Message"), "textarea", 2000),
    )
}
NAME_FIELDS = ("first_name", "last_name")
CONTACT_FIELDS_OF_FORM = ("email", "phone")
FORM_SETTINGS = (
    "name_th",
    "name_en",
    "fields",
    "purposes",
    "allowed_origins",
    "owner",
    "thank_you_th",
    "thank_you_en",
    "is_active",
)


def field_label(form_field: dict[str, Any]) -> str:
    """The label of a form field in the visitor's language, the default one if
    staff left it empty."""
    thai = (translation.get_language() or "th").startswith("th")
    own = form_field.get("label_th") if thai else form_field.get("label_en")
    return own or str(FORM_FIELDS[form_field["field"]].label)


def clean_form_fields(fields: Any) -> tuple[list[dict[str, Any]], dict[str, list[str]]]:
    cleaned: list[dict[str, Any]] = []
    if not isinstance(fields, list):
        return [], {"fields": [_("Choose the fields of the form.")]}
    for item in fields:
        key = item.get("field") if isinstance(item, dict) else None
        if key not in FORM_FIELDS:
            return [], {"fields": [_("Unknown field “%(name)s”.") % {"name": key}]}
        if any(done["field"] == key for done in cleaned):
            return [], {"fields": [_("The field “%(name)s” is there twice.") % {"name": key}]}
        labels = {name: str(item.get(name) or "").strip() for name in ("label_th", "label_en")}
        if any(len(label) > 200 for label in labels.values()):
            return [], {"fields": [_("A label can be at most 200 characters.")]}
        cleaned.append({"field": key, "required": bool(item.get("required")), **labels})
    keys = {item["field"]: item for item in cleaned}
    errors: dict[str, list[str]] = {}
    if not any(keys.get(name, {}).get("required") for name in NAME_FIELDS):
        errors["fields"] = [_("Ask for a first or last name, as a required field.")]
    elif not any(name in keys for name in CONTACT_FIELDS_OF_FORM):
        errors["fields"] = [_("Ask for an email or a phone number, to be able to answer.")]
    return cleaned, errors


def _form_errors(values: dict[str, Any]) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    for name in ("name_th", "name_en"):
        if not str(values.get(name) or "").strip():
            errors[name] = [_("Give the form a name in Thai and in English.")]
    purposes = values.get("purposes") or []
    wrong = [p for p in purposes if p.lawful_basis not in CONSENT_BASES or not p.is_active]
    if wrong:
        errors["purposes"] = [
            _("“%(purpose)s” does not rest on consent: it needs no checkbox.")
            % {"purpose": wrong[0]}
        ]
    owner = values.get("owner")
    if owner is not None and not owner.is_active:
        errors["owner"] = [_("This staff member's account is deactivated.")]
    return errors


@transaction.atomic
def save_web_form(actor: Actor, form: WebForm | None = None, **values: Any) -> WebForm:
    """Creates a form, or changes `form`. Purposes: those resting on consent only."""
    unknown = set(values) - set(FORM_SETTINGS)
    if unknown:
        raise TypeError(f"not web form settings: {sorted(unknown)}")
    creating = form is None
    form = form or WebForm(key=secrets.token_urlsafe(9).lower(), created_by=acting_user(actor))
    current: dict[str, Any] = {
        name: getattr(form, name) for name in FORM_SETTINGS if name != "purposes"
    }
    current["purposes"] = list(form.purposes.all()) if form.pk else []
    merged = {**current, **values}
    errors = _form_errors(merged)
    merged["fields"], field_errors = clean_form_fields(merged["fields"])
    errors.update(field_errors)
    merged["allowed_origins"], origin_errors = clean_origins(
        merged["allowed_origins"], "allowed_origins"
    )
    errors.update(origin_errors)
    if errors:
        raise ValidationError(errors)
    changes: dict[str, list[Any]] = {}
    for name in FORM_SETTINGS:
        if name == "purposes":
            continue
        after = merged[name].strip() if isinstance(merged[name], str) else merged[name]
        if creating or current[name] != after:
            changes[name] = [
                None if creating else _shown(current[name]),
                _shown(after),
            ]
        setattr(form, name, after)
    form.save()
    before = sorted(p.code for p in current["purposes"])
    after_codes = sorted(p.code for p in merged["purposes"])
    form.purposes.set(merged["purposes"])
    if before != after_codes:
        changes["purposes"] = [before, after_codes]
    action = "portal.create_web_form" if creating else "portal.update_web_form"
    record_change(actor, action, form, changes)
    return form


def _shown(value: Any) -> Any:
    if value is None or isinstance(value, bool | int | str | list | dict):
        return value
    return str(value)


@dataclass
class Submitted:
    submission: WebFormSubmission
    person: Person
    created: bool


def _script_of(value: str) -> str:
    return "th" if THAI_SCRIPT.search(value) else "en"


def _person_values(values: dict[str, str]) -> dict[str, str]:
    """The person's fields a submission fills: names by their script."""
    mapped: dict[str, str] = {}
    for key in NAME_FIELDS:
        if values.get(key):
            mapped[f"{key}_{_script_of(values[key])}"] = values[key]
    if values.get("company"):
        mapped["employer_name"] = values["company"]
    if values.get("position"):
        mapped["position"] = values["position"]
    return mapped


def clean_submission(
    form: WebForm, raw: dict[str, Any]
) -> tuple[dict[str, str], dict[str, list[str]]]:
    """The visitor's values, checked against the form; errors keyed by field."""
    errors: dict[str, list[str]] = {}
    values: dict[str, str] = {}
    for item in form.fields:
        key = item["field"]
        spec = FORM_FIELDS[key]
        value = (
            " ".join(str(raw.get(key) or "").split())
            if spec.kind != "textarea"
            else (str(raw.get(key) or "").strip())
        )
        if not value:
            if item.get("required"):
                errors[key] = [_("This field is required.")]
            continue
        if len(value) > spec.max_length:
            errors[key] = [
                _("Enter at most %(max_length)s characters.") % {"max_length": spec.max_length}
            ]
            continue
        if spec.kind == "email":
            try:
                validate_email(value)
            except ValidationError:
                errors[key] = [_("Enter a valid email address.")]
                continue
            value = value.lower()
        elif spec.kind == "phone":
            try:
                value = to_e164(value)
            except InvalidPhoneNumber:
                errors[key] = [_("“%(value)s” is not a valid phone number.") % {"value": value}]
                continue
        values[key] = value
    present = [
        name
        for name in CONTACT_FIELDS_OF_FORM
        if any(item["field"] == name for item in form.fields)
    ]
    if present and not any(values.get(name) for name in present) and not errors.get(present[0]):
        errors[present[0]] = [_("Give an email address or a phone number, so that we can answer.")]
    return values, errors


def _merge_into(
    person: Person, mapped: dict[str, str], values: dict[str, str]
) -> tuple[dict[str, str], dict[str, str]]:
    """What fills an empty field, and what differs from the record: the latter is
    shown to staff and never applied unasked (a form proves nobody's identity)."""
    fills: dict[str, str] = {}
    unapplied: dict[str, str] = {}
    for name, value in mapped.items():
        held = getattr(person, name)
        if not held:
            fills[name] = value
        elif held.strip().casefold() != value.casefold():
            unapplied[name] = value
    emails = {e.lower() for e in person.emailaddresss.values_list("email", flat=True)}
    if values.get("email") and values["email"] not in emails:
        unapplied["email"] = values["email"]
    phones = set(person.phonenumbers.values_list("number", flat=True))
    if values.get("phone") and values["phone"] not in phones:
        unapplied["phone"] = values["phone"]
    return fills, unapplied


def _summary(
    form: WebForm,
    values: dict[str, str],
    consents: list[Purpose],
    unapplied: dict[str, str],
    created: bool,
) -> str:
    lines = [
        _("New person created from the web form.")
        if created
        else _("The form matched this existing person by email or phone.")
    ]
    for item in form.fields:
        key = item["field"]
        if key != "message" and values.get(key):
            lines.append(f"{FORM_FIELDS[key].label}: {values[key]}")
    if consents:
        lines.append(
            _("Consents given: %(purposes)s") % {"purposes": ", ".join(str(p) for p in consents)}
        )
    else:
        lines.append(_("No consent given."))
    if unapplied:
        lines.append(_("Differs from the record, not applied (check with the person):"))
        lines += [f"- {_label_of(name)}: {value}" for name, value in unapplied.items()]
    if values.get("message"):
        lines += ["", values["message"]]
    return "\n".join(lines)


def _label_of(name: str) -> str:
    if name in FORM_FIELDS:
        return str(FORM_FIELDS[name].label)
    return str(Person._meta.get_field(name).verbose_name)


def _follower(person: Person, form: WebForm) -> Any:
    """Who follows up: the person's owner, else the form's; nobody if both left."""
    for user in (person.owner, form.owner):
        if user is not None and user.is_active:
            return user
    return None


def submit_web_form(
    form: WebForm,
    raw: dict[str, Any],
    *,
    consents: list[Purpose],
    notice: PrivacyNotice | None,
    visitor_id: str = "",
    ip_address: str | None = None,
    user_agent: str = "",
    at: datetime | None = None,
) -> Submitted:
    """A visitor sent the form: the person is created, or found by email or
    phone (then only empty fields are filled; differing values go to staff),
    with provenance "given directly — web form <name>"; each ticked purpose is a
    consent in the ledger; the person's timeline gets an activity and the owner
    a task to follow up; the visitor's cookie choices are linked to them."""
    from connexion.sales.activities import services as activity_services

    if not form.is_active:
        raise ValidationError({"form": [_("This form is closed.")]})
    values, errors = clean_submission(form, raw)
    offered = set(form.purposes.values_list("pk", flat=True))
    if any(purpose.pk not in offered for purpose in consents):
        errors["consents"] = [_("This form does not ask for that consent.")]
    if consents and notice is None:
        errors["notice"] = [_("No privacy notice is in effect yet.")]
    if errors:
        raise ValidationError(errors)
    at = at or timezone.now()
    mapped = _person_values(values)
    # The checkbox texts as the visitor read them, in their language.
    wordings = {purpose.pk: consent_wording(purpose, notice) for purpose in consents if notice}
    with transaction.atomic(), translation.override(settings.LANGUAGE_CODE):
        # Staff read what follows in the business's language, whatever the visitor's.
        name = form.name_th if settings.LANGUAGE_CODE.startswith("th") else form.name_en
        person = match_person(values.get("email", ""), values.get("phone", ""))
        created = person is None
        unapplied: dict[str, str] = {}
        if person is None:
            source = people.create_source(
                PUBLIC,
                kind=Source.Kind.DIRECT,
                channel=Source.Channel.WEB_FORM,
                note=(_("web form %(name)s") % {"name": name})[:200],
                collected_at=at,
            )
            person = people.create_person(
                PUBLIC,
                source=source,
                contacts=people.ContactDetails(
                    emails=[values["email"]] if values.get("email") else [],
                    phones=[("mobile", values["phone"])] if values.get("phone") else [],
                ),
                owner=form.owner if form.owner and form.owner.is_active else None,
                **mapped,
            )
        else:
            fills, unapplied = _merge_into(person, mapped, values)
            if fills:
                people.update_person(PUBLIC, person, **fills)
        for purpose in consents:
            assert notice is not None
            privacy.give_consent(
                PUBLIC,
                person,
                purpose,
                wording=wordings[purpose.pk],
                channel=ConsentEvent.Channel.WEB_FORM,
                notice=notice,
                ip_address=ip_address,
                user_agent=user_agent,
                at=at,
            )
        summary = _summary(form, values, consents, unapplied, created)
        activity_services.log_activity(
            PUBLIC,
            kind="note",
            subject=_("Web form “%(name)s” received") % {"name": name},
            body=summary,
            occurred_at=at,
            person=person,
        )
        activity_services.create_task(
            PUBLIC,
            title=_("Follow up the web form “%(name)s”") % {"name": name},
            description=summary,
            due_at=at + FOLLOW_UP_AFTER,
            assignee=_follower(person, form),
            person=person,
        )
        link_visitor(PUBLIC, visitor_id, person)
        submission = WebFormSubmission.objects.create(
            form=form,
            person=person,
            submitted_at=at,
            created_person=created,
            unapplied=unapplied,
            consents=[purpose.code for purpose in consents],
            visitor_id=visitor_id if VISITOR_ID.match(visitor_id or "") else "",
            ip_address=ip_address,
            user_agent=(user_agent or "")[:400],
        )
        record_change(
            PUBLIC,
            "portal.web_form_submission",
            person,
            {
                f"web_form:{form.pk}": [None, ", ".join(submission.consents) or "-"],
                f"web_form:{form.pk}:not_applied": [None, ", ".join(sorted(unapplied)) or "-"],
            },
        )
    return Submitted(submission=submission, person=person, created=created)


# --- the cookie banner's words ------------------------------------------------------

COOKIE_TEXTS: dict[str, Promise] = {
    "title": gettext_lazy("Cookies on this site"),
    "intro": gettext_lazy(
        "We use the cookies this site needs to work. With your consent we would also use "
        "cookies to remember your preferences, to measure visits and for marketing. Nothing "
        "that is not necessary is set or loaded before you choose."
    ),
    "accept_all": gettext_lazy("Accept all"),
    "reject_all": gettext_lazy("Reject all"),
    "choose": gettext_lazy("Choose by category"),
    "save": gettext_lazy("Save my choices"),
    "policy": gettext_lazy("Cookie policy"),
    "always_on": gettext_lazy("always on"),
    "necessary": gettext_lazy("Necessary"),
    "necessary_help": gettext_lazy(
        "Your session, protection against forged forms, your language when you choose one, "
        "and this choice."
    ),
    "preferences": gettext_lazy("Preferences"),
    "preferences_help": gettext_lazy("Remember settings you chose, to make the site easier."),
    "analytics": gettext_lazy("Analytics"),
    "analytics_help": gettext_lazy("Count visits and see how the site is used, to improve it."),
    "marketing": gettext_lazy("Marketing"),
    "marketing_help": gettext_lazy(
        "Show you offers that match your interests, on other sites too."
    ),
}


def cookie_texts() -> dict[str, str]:
    """The banner's words in the active language."""
    return {name: str(text) for name, text in COOKIE_TEXTS.items()}
