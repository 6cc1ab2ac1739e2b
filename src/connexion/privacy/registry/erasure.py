"""What erasure and export do with each model's rows (policy 8.2, 8.5)."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext_lazy as _

# --- erasure and export (policy 8.2, 8.5): what happens to each model's rows ----------
# Read by privacy.engines.erasure and privacy.engines.export. Every model of
# SUBJECT_DATA_APPS with a path to a person must be listed
# (tests/privacy/test_erasure_registry.py).


class Erasure(models.TextChoices):
    DELETE = "delete", _("deleted")
    # The row must stay for the business (a deal in revenue reports): its personal
    # fields are blanked or masked, it stays linked to "anonymized person #…".
    ANONYMIZE = "anonymize", _("anonymized")
    # A law requires the row (tax invoices, payment records): it keeps the fields
    # in `keep` only, and its person is kept as an anonymized record.
    HOLD = "hold", _("kept under a legal obligation")
    # The rows are not about the person (a source they gave); only links are handled.
    UNRELATED = "unrelated", _("not about the person")


class Mention(models.TextChoices):
    """A link to a person that does not make the row theirs."""

    DETACH = "detach", _("the link is removed")
    # The row must keep pointing at someone: the person stays as an anonymized record.
    KEEP_LINK = "keep_link", _("the link stays, to the anonymized record")
    # Records merged into the person hold their data too: erased with them.
    FOLLOW = "follow", _("erased together")


@dataclass(frozen=True)
class ErasurePolicy:
    action: Erasure
    # Lookups from the model to the Person its rows are about ("pk" for Person itself).
    subject: tuple[str, ...] = ("person",)
    # Personal fields an anonymized or held row keeps.
    keep: frozenset[str] = frozenset()
    # Personal fields replaced by a mask ("ส*** ใ***") instead of blanked.
    masked: frozenset[str] = frozenset()
    # Every other link to a person, and what erasure does with it.
    mentions: tuple[tuple[str, Mention], ...] = ()
    # Links of rows that are not the person's but concern them: shown in an export.
    also_export: tuple[str, ...] = ()
    # Why the rows stay (anonymize, hold): shown on the erasure page.
    reason: str = ""


_NO_SUBJECT: tuple[str, ...] = ()

ERASURE_POLICIES: dict[str, ErasurePolicy] = {
    # Deleted, unless something must stay linked to it: then kept as "anonymized person #…".
    "people.person": ErasurePolicy(
        Erasure.DELETE, subject=("pk",), mentions=(("merged_into", Mention.FOLLOW),)
    ),
    "people.emailaddress": ErasurePolicy(Erasure.DELETE),
    "people.phonenumber": ErasurePolicy(Erasure.DELETE),
    "people.socialaccount": ErasurePolicy(Erasure.DELETE),
    "people.postaladdress": ErasurePolicy(Erasure.DELETE),
    "people.organizationrole": ErasurePolicy(Erasure.DELETE),
    "people.relationship": ErasurePolicy(Erasure.DELETE, subject=("person", "other")),
    "people.lifecyclechange": ErasurePolicy(Erasure.DELETE),
    # Provenance of other people's data ("given by"): the referrer stays, anonymized.
    "people.source": ErasurePolicy(
        Erasure.UNRELATED,
        subject=_NO_SUBJECT,
        mentions=(("related_person", Mention.KEEP_LINK),),
    ),
    "privacy.consentevent": ErasurePolicy(Erasure.DELETE),
    "privacy.datause": ErasurePolicy(Erasure.DELETE),
    "privacy.restriction": ErasurePolicy(Erasure.DELETE),
    "privacy.objection": ErasurePolicy(Erasure.DELETE),
    "sales.productinterest": ErasurePolicy(Erasure.DELETE),
    "privacy.disclosure": ErasurePolicy(
        Erasure.ANONYMIZE,
        keep=frozenset(
            {"recipient_name", "categories", "fields", "basis", "legal_reference", "disclosed_at"}
        ),
        reason=_("what was disclosed to whom, and on which basis, stays provable (policy 6)"),
    ),
    "privacy.subjectrequest": ErasurePolicy(
        Erasure.ANONYMIZE,
        keep=frozenset(
            {
                "kind",
                "channel",
                "status",
                "received_at",
                "closed_at",
                "rejection_reason",
                "regulator_reference",
                "recipient_controller",
            }
        ),
        # The requester's name, email and phone are blanked, not masked: initials
        # or the last digits of a phone are still about someone.
        reason=_("proof that the request was answered in time (PDPA s.30, s.39)"),
    ),
    "privacy.requestevent": ErasurePolicy(
        Erasure.ANONYMIZE,
        subject=("request__person",),
        reason=_("the history of the request, without what was written in it"),
    ),
    "privacy.onetimecode": ErasurePolicy(Erasure.DELETE, subject=("request__person",)),
    "privacy.dataexport": ErasurePolicy(Erasure.DELETE),
    # Only lifted or expired holds reach an erasure: a hold in force refuses it.
    "privacy.legalhold": ErasurePolicy(
        Erasure.ANONYMIZE,
        keep=frozenset({"legal_reference", "starts_at", "ends_at"}),
        reason=_("which law or order held the data, and when"),
    ),
    "sales.lead": ErasurePolicy(Erasure.DELETE, mentions=(("referred_by", Mention.DETACH),)),
    "sales.deal": ErasurePolicy(
        Erasure.ANONYMIZE,
        keep=frozenset(
            {
                "status",
                "amount",
                "currency",
                "exchange_rate",
                "amount_thb",
                "expected_close_date",
                "closed_at",
            }
        ),
        masked=frozenset({"title", "lost_reason"}),
        reason=_("its value stays in the revenue reports"),
    ),
    "sales.dealproduct": ErasurePolicy(
        Erasure.ANONYMIZE,
        subject=("deal__person",),
        keep=frozenset({"quantity", "unit_price"}),
        reason=_("its value stays in the revenue reports"),
    ),
    "sales.stagechange": ErasurePolicy(
        Erasure.ANONYMIZE,
        subject=("deal__person",),
        reason=_("the pipeline statistics; it holds nothing about the person"),
    ),
    "sales.activity": ErasurePolicy(
        Erasure.DELETE,
        mentions=(("participants", Mention.DETACH),),
        also_export=("participants",),
    ),
    "sales.task": ErasurePolicy(Erasure.DELETE),
    "sales.reminder": ErasurePolicy(Erasure.DELETE, subject=("task__person",)),
    "sales.note": ErasurePolicy(Erasure.DELETE),
    "comms.outgoingemail": ErasurePolicy(Erasure.DELETE),
    # The privacy center: a visitor's cookie choices once linked to the person, the
    # forms they sent, the notices they were sent and the links in those.
    "portal.cookieconsent": ErasurePolicy(Erasure.DELETE),
    "portal.webformsubmission": ErasurePolicy(Erasure.DELETE),
    "portal.noticedelivery": ErasurePolicy(Erasure.DELETE),
    "portal.portallink": ErasurePolicy(Erasure.DELETE),
    "documents.identitydocument": ErasurePolicy(Erasure.DELETE),
    # The proof of an erasure: a masked name and counts, linked to the request.
    "privacy.erasurerecord": ErasurePolicy(Erasure.UNRELATED, subject=_NO_SUBJECT),
}
