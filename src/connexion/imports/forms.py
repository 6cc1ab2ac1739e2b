"""The upload form and the form of column mapping, provenance and duplicates."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from connexion.imports import reading
from connexion.imports.models import ImportJob
from connexion.imports.rows import target_choices
from connexion.people.forms import SourceForm

ENCODING_CHOICES = [
    ("", _("detect it (UTF-8, then Thai TIS-620)")),
    ("utf-8", "UTF-8"),
    ("utf-8-sig", _("UTF-8 with byte-order mark (Excel “CSV UTF-8”)")),
    ("cp874", _("Thai Windows-874 / TIS-620 (older Excel “CSV”)")),
]


class UploadForm(forms.Form):
    file = forms.FileField(
        label=_("File"),
        help_text=_("CSV or Excel (.xlsx), at most 50 MB, with the column names in the first row."),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx"}),
    )
    encoding = forms.ChoiceField(
        label=_("Text encoding (CSV only)"), choices=ENCODING_CHOICES, required=False
    )

    table: reading.Table

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        upload = data.get("file")
        if upload is not None:
            try:
                self.table = reading.inspect(
                    upload, upload.name, upload.size, data.get("encoding", "")
                )
            except forms.ValidationError as error:
                self.add_error("file", error)
        return data


class MappingForm(SourceForm):
    """One field per column of the file, then where the file's data came from and
    what to do with people who are likely already in the CRM."""

    on_duplicate = forms.ChoiceField(
        label=_("People who are likely already in the CRM (same national ID, email or phone)"),
        choices=ImportJob.OnDuplicate.choices,
        initial=ImportJob.OnDuplicate.SKIP,
    )

    def __init__(self, *args: Any, headers: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Every record of an import comes through the import channel.
        del self.fields["source_channel"]
        self.headers = headers
        choices = target_choices()
        for index, header in enumerate(headers):
            self.fields[self.column_name(index)] = forms.ChoiceField(
                label=header or _("(column %(number)d, no name)") % {"number": index + 1},
                choices=choices,
                required=False,
            )

    @staticmethod
    def column_name(index: int) -> str:
        return f"column_{index}"

    def column_fields(self) -> list[forms.BoundField]:
        return [self[self.column_name(index)] for index in range(len(self.headers))]

    def provenance_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.fields if name.startswith("source_")]

    def duplicate_fields(self) -> list[forms.BoundField]:
        return [self["on_duplicate"]]

    def mapping(self) -> list[str]:
        return [
            self.cleaned_data.get(self.column_name(index)) or ""
            for index in range(len(self.headers))
        ]

    def job_values(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "mapping": self.mapping(),
            "source_kind": data["source_kind"],
            "related_person": data.get("source_related_person"),
            "partner": data.get("source_partner"),
            "agreement_reference": data.get("source_agreement_reference", ""),
            "on_duplicate": data["on_duplicate"],
        }

    @classmethod
    def initial_for(cls, job: ImportJob, mapping: list[str]) -> dict[str, Any]:
        initial: dict[str, Any] = {
            cls.column_name(index): name for index, name in enumerate(mapping)
        }
        initial.update(
            source_kind=job.source_kind,
            source_related_person=job.related_person,
            source_partner=job.partner,
            source_agreement_reference=job.agreement_reference,
            on_duplicate=job.on_duplicate,
        )
        return initial
