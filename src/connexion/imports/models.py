"""Imports of people from CSV and XLSX files: one `ImportJob` per uploaded file,
the rows it did not import (`ImportIssue`) and each user's last column mapping."""

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from connexion.people.models import Organization, Person, Source

MAX_FILE_SIZE = 50 * 1024 * 1024


def _upload_path(job: "ImportJob", filename: str) -> str:
    # The stored name says nothing about the file; its own name is kept on the job.
    extension = filename.rsplit(".", 1)[-1].lower()
    return f"imports/{uuid.uuid4().hex}.{extension}"


class ImportJob(models.Model):
    """One uploaded file, from its upload through the column mapping to the run."""

    class Status(models.TextChoices):
        UPLOADED = "uploaded", _("waiting for the column mapping")
        QUEUED = "queued", _("waiting for the worker")
        RUNNING = "running", _("importing")
        DONE = "done", _("done")
        FAILED = "failed", _("failed, nothing imported")

    class Format(models.TextChoices):
        CSV = "csv", "CSV"
        XLSX = "xlsx", "Excel (XLSX)"

    class OnDuplicate(models.TextChoices):
        SKIP = "skip", _("skip the row")
        UPDATE = "update", _("update the existing person")
        CREATE = "create", _("create a new person anyway")

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("imported by"),
    )
    created_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.UPLOADED
    )

    # The file; deleted once its rows are imported.
    file = models.FileField(_("file"), upload_to=_upload_path, blank=True)
    file_name = models.CharField(_("file name"), max_length=200)
    file_format = models.CharField(_("format"), max_length=4, choices=Format.choices)
    file_size = models.PositiveBigIntegerField(_("size"), default=0)
    encoding = models.CharField(_("encoding"), max_length=20, blank=True)
    delimiter = models.CharField(_("delimiter"), max_length=1, blank=True)
    headers = models.JSONField(_("column names"), default=list)
    total_rows = models.PositiveIntegerField(_("rows"), default=0)

    # What the user chose: one person field (or "") per column, the provenance
    # of the whole file, and what to do with likely duplicates.
    mapping = models.JSONField(_("column mapping"), default=list, blank=True)
    source_kind = models.CharField(
        _("source"), max_length=20, choices=Source.Kind.choices, default=Source.Kind.DIRECT
    )
    related_person = models.ForeignKey(
        Person,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("given by"),
    )
    partner = models.ForeignKey(
        Organization,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("partner"),
    )
    agreement_reference = models.CharField(_("agreement reference"), max_length=100, blank=True)
    on_duplicate = models.CharField(
        _("likely duplicates"),
        max_length=10,
        choices=OnDuplicate.choices,
        default=OnDuplicate.SKIP,
    )

    # The run.
    task_id = models.CharField(max_length=64, blank=True)
    queued_at = models.DateTimeField(_("queued at"), null=True, blank=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    source = models.ForeignKey(
        Source,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("source"),
    )
    processed_rows = models.PositiveIntegerField(_("rows read"), default=0)
    created_count = models.PositiveIntegerField(_("people created"), default=0)
    updated_count = models.PositiveIntegerField(_("people updated"), default=0)
    skipped_count = models.PositiveIntegerField(_("duplicates skipped"), default=0)
    rejected_count = models.PositiveIntegerField(_("rows rejected"), default=0)
    error = models.TextField(_("error"), blank=True)

    class Meta:
        verbose_name = _("import")
        verbose_name_plural = _("imports")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.file_name

    @property
    def is_finished(self) -> bool:
        return self.status in {self.Status.DONE, self.Status.FAILED}


class ImportIssue(models.Model):
    """A row that was not imported, with why: the import's report."""

    class Outcome(models.TextChoices):
        REJECTED = "rejected", _("rejected")
        SKIPPED = "skipped", _("skipped: likely duplicate")

    job = models.ForeignKey(ImportJob, on_delete=models.CASCADE, related_name="issues")
    row_number = models.PositiveIntegerField(_("row"))
    outcome = models.CharField(_("outcome"), max_length=10, choices=Outcome.choices)
    # [[field name or "", message], ...]
    problems = models.JSONField(_("problems"), default=list)
    # The row's cells as read from the file.
    values = models.JSONField(_("values"), default=list)

    class Meta:
        verbose_name = _("import issue")
        verbose_name_plural = _("import issues")
        ordering = ["job", "row_number"]

    def __str__(self) -> str:
        return f"{self.job_id}:{self.row_number} {self.outcome}"


class SavedMapping(models.Model):
    """Each user's last choice of field per column name, offered again next time."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="import_mapping"
    )
    # normalized column name -> person field ("" = ignored)
    columns = models.JSONField(default=dict)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("saved import mapping")
        verbose_name_plural = _("saved import mappings")

    def __str__(self) -> str:
        return str(self.user_id)
