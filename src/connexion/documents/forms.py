from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from connexion.documents import content
from connexion.documents.models import IdentityDocument


class UploadForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind of document"), choices=IdentityDocument.Kind.choices)
    file = forms.FileField(
        label=content.FIELD,
        help_text=_("A JPEG, PNG or WebP image or a PDF file, at most 10 MB."),
        widget=forms.ClearableFileInput(
            attrs={"accept": "image/jpeg,image/png,image/webp,application/pdf"}
        ),
    )
    signer_name = forms.CharField(
        label=_("Signed by"),
        max_length=200,
        required=False,
        help_text=_("Power of attorney: who signed it."),
    )
    authority_granted = forms.CharField(
        label=_("Authority granted"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Power of attorney: what it allows the holder to do."),
    )
    valid_from = forms.DateField(
        label=_("Valid from"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    valid_until = forms.DateField(
        label=_("Valid until"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def clean_file(self) -> Any:
        upload = self.cleaned_data.get("file")
        if upload is not None:
            # By size first: an oversized upload was never kept whole (uploads.py).
            content.check_size(upload.size)
        return upload

    def service_values(self) -> dict[str, Any]:
        data = self.cleaned_data
        upload = data["file"]
        upload.seek(0)
        return {
            "kind": data["kind"],
            "data": upload.read(),
            "uploaded_name": upload.name or "",
            "signer_name": data.get("signer_name", ""),
            "authority_granted": data.get("authority_granted", ""),
            "valid_from": data.get("valid_from"),
            "valid_until": data.get("valid_until"),
        }
