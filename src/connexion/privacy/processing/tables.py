"""The record of processing as tables, for its CSV and XLSX downloads: one row per purpose,
objection, recipient, refused request and breach, every date in the reader's language."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.utils import timezone, translation
from django.utils.translation import gettext as _

from connexion.lib.thai import format_date
from connexion.privacy.processing.record import (
    Figure,
    ProcessingRecord,
    Recipient,
    Rejection,
    category_label,
)


def _day(value: datetime | date | None, language: str) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    return format_date(value, language)


def _figures_text(figures: list[Figure]) -> str:
    return "; ".join(f"{figure.label}: {figure.count}" for figure in figures)


def _recipients_text(recipients: list[Recipient]) -> str:
    return "; ".join(f"{r.name} ({r.count})" for r in recipients)


def _rejections_text(rejections: list[Rejection], language: str) -> str:
    return " | ".join(
        f"{_day(r.decided_at or r.received_at, language)}: {r.reason}" for r in rejections
    )


def purpose_table(record: ProcessingRecord) -> list[list[Any]]:
    """One row per purpose and data category, with its header: the CSV, and
    the first sheet of the XLSX."""
    with translation.override(record.language):
        language = record.language
        header = [
            _("Code"),
            _("Policy clause"),
            _("Purpose"),
            _("Description"),
            _("Lawful basis"),
            _("In use"),
            _("Data category"),
            _("Personal data held"),
            _("Kinds of data subjects"),
            _("Sources of the data"),
            _("Retention"),
            _("Recipients under consent to this purpose (last 12 months)"),
            _("Security measures"),
            _("Consents given"),
            _("Consents withdrawn"),
            _("Objections accepted"),
            _("Objections rejected"),
            _("Objections pending"),
            _("Rejected objections: date and reason"),
        ]
        subjects = _figures_text(record.data_subjects)
        sources = "; ".join(
            f"{figure.label}: {figure.people}" for figure in record.sources if figure.people
        )
        security = " ".join(record.security_measures)
        rows: list[list[Any]] = [header]
        for purpose in record.purposes:
            for category in purpose.categories:
                recipients = [r for r in purpose.recipients if category.code in r.categories]
                rows.append(
                    [
                        purpose.code,
                        purpose.policy_clause,
                        purpose.name,
                        purpose.description,
                        purpose.lawful_basis_label,
                        _("yes") if purpose.is_active else _("no"),
                        category.label,
                        category.fields_text,
                        subjects,
                        sources,
                        "; ".join(purpose.retention) or _("no retention rule in force"),
                        _recipients_text(recipients),
                        security,
                        purpose.consent.given if purpose.consent else "",
                        purpose.consent.withdrawn if purpose.consent else "",
                        purpose.objections.accepted,
                        purpose.objections.rejected,
                        purpose.objections.pending,
                        _rejections_text(purpose.objections.rejections, language),
                    ]
                )
        return rows


def objection_tables(record: ProcessingRecord) -> tuple[list[list[Any]], list[list[Any]]]:
    """The counts per purpose, and each rejection with its reason (s.39(1)(7))."""
    with translation.override(record.language):
        language = record.language
        counts: list[list[Any]] = [
            [
                _("Code"),
                _("Purpose"),
                _("Lawful basis"),
                _("Objections accepted"),
                _("Objections rejected"),
                _("Objections pending"),
            ]
        ]
        rejections: list[list[Any]] = [
            [_("Code"), _("Purpose"), _("Received on"), _("Rejected on"), _("Reason")]
        ]
        for purpose in record.purposes:
            objections = purpose.objections
            counts.append(
                [
                    purpose.code,
                    purpose.name,
                    purpose.lawful_basis_label,
                    objections.accepted,
                    objections.rejected,
                    objections.pending,
                ]
            )
            for rejection in objections.rejections:
                rejections.append(
                    [
                        purpose.code,
                        purpose.name,
                        _day(rejection.received_at, language),
                        _day(rejection.decided_at, language),
                        rejection.reason,
                    ]
                )
        return counts, rejections


def controller_table(record: ProcessingRecord) -> list[list[Any]]:
    with translation.override(record.language):
        controller = record.controller
        return [
            [_("Controller"), controller.name or _("not set yet")],
            [_("Data protection officer"), controller.dpo_name],
            [_("Email"), controller.email],
            [_("Phone"), controller.phone],
            [_("Postal address"), controller.postal_address],
        ]


def refused_request_table(record: ProcessingRecord) -> list[list[Any]]:
    with translation.override(record.language):
        language = record.language
        rows: list[list[Any]] = [
            [_("Reference"), _("Request"), _("Received on"), _("Refused on"), _("Reason")]
        ]
        for refused in record.refused_requests:
            rows.append(
                [
                    refused.reference,
                    refused.kind,
                    _day(refused.received_at, language),
                    _day(refused.refused_at, language),
                    refused.reason,
                ]
            )
        return rows


def disclosure_table(record: ProcessingRecord) -> list[list[Any]]:
    with translation.override(record.language):
        rows: list[list[Any]] = [
            [
                _("Basis"),
                _("Purpose consented to"),
                _("Joint product"),
                _("Recipient"),
                _("Data categories"),
                _("Disclosures in the last 12 months"),
                _("Last disclosed on"),
            ]
        ]
        for basis in record.disclosures:
            for r in basis.recipients:
                rows.append(
                    [
                        basis.label,
                        r.purpose,
                        r.product,
                        r.name,
                        ", ".join(category_label(code) for code in r.categories),
                        r.count,
                        _day(r.last_at, record.language),
                    ]
                )
        return rows


def breach_table(record: ProcessingRecord) -> list[list[Any]]:
    with translation.override(record.language):
        language = record.language
        rows: list[list[Any]] = [
            [
                _("Breach"),
                _("Happened on"),
                _("Aware on"),
                _("Risk"),
                _("People affected"),
                _("Data categories"),
                _("Regulator notified on"),
                _("Regulator's reference"),
                _("People notified on"),
                _("Note"),
            ]
        ]
        for breach in record.breaches:
            rows.append(
                [
                    breach.title,
                    _day(breach.occurred_at, language),
                    _day(breach.aware_at, language),
                    breach.risk_label,
                    breach.people_affected,
                    ", ".join(category_label(code) for code in breach.categories),
                    _day(breach.regulator_notified_at, language),
                    breach.regulator_reference,
                    _day(breach.people_notified_at, language),
                    breach.note,
                ]
            )
        return rows
