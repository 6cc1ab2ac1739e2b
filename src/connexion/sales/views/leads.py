"""Pages of leads: list, create, edit, status, convert into a deal, delete."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from connexion.accounts.visibility import visible_or_404
from connexion.lib.forms import put_errors
from connexion.lib.http import parse_id
from connexion.sales import selectors
from connexion.sales.forms import ConvertForm, LeadFilterForm, LeadForm, LeadStatusForm
from connexion.sales.models import Lead
from connexion.sales.services import leads as lead_services
from connexion.sales.views.access import deals_access


def _query_string(request: HttpRequest) -> str:
    query = request.GET.copy()
    query.pop("cursor", None)
    return query.urlencode()


@login_required
@deals_access
def lead_list(request: HttpRequest) -> HttpResponse:
    form = LeadFilterForm(request.GET)
    data = form.cleaned_data if form.is_valid() else {}
    owner = data.get("owner")
    filters = selectors.LeadFilters(
        query=data.get("q", ""),
        status=data.get("status", ""),
        source=data.get("source", ""),
        owner=owner.pk if owner else None,
        created_from=data.get("created_from"),
        created_to=data.get("created_to"),
        sort=data.get("sort") or "newest",
    )
    page = selectors.leads_page(request.user, filters, request.GET.get("cursor"))
    context = {
        "page": page,
        "form": form,
        "query_string": _query_string(request),
        "section": "leads",
    }
    template = "sales/lead_rows.html" if request.htmx else "sales/lead_list.html"
    return render(request, template, context)


@login_required
@deals_access
def lead_create(request: HttpRequest) -> HttpResponse:
    initial: dict[str, Any] = {"owner": request.user}
    person_id = parse_id(request.GET.get("person"))
    if person_id is not None:
        initial["person"] = person_id
    form = LeadForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            lead = lead_services.create_lead(
                request.user, products=list(form.cleaned_data["products"]), **form.lead_values()
            )
        except ValidationError as error:
            put_errors(form, error)
        else:
            messages.success(request, _("Lead “%(title)s” added.") % {"title": lead.title})
            return redirect("sales:lead_detail", lead.pk)
    status = 422 if form.errors else 200
    return render(
        request,
        "sales/lead_form.html",
        {"form": form, "creating": True, "section": "leads"},
        status=status,
    )


@login_required
@deals_access
def lead_edit(request: HttpRequest, lead_id: int) -> HttpResponse:
    lead = visible_or_404(request.user, Lead.objects.all(), lead_id)
    form = LeadForm(request.POST or None, initial=LeadForm.initial_for(lead))
    if request.method == "POST" and form.is_valid():
        try:
            lead_services.update_lead(
                request.user,
                lead,
                products=list(form.cleaned_data["products"]),
                **form.lead_values(),
            )
        except ValidationError as error:
            put_errors(form, error)
        else:
            messages.success(request, _("Changes saved."))
            return redirect("sales:lead_detail", lead.pk)
    status = 422 if form.errors else 200
    return render(
        request,
        "sales/lead_form.html",
        {"form": form, "lead": lead, "section": "leads"},
        status=status,
    )


def _lead_page(
    request: HttpRequest, lead_id: int, status_form: LeadStatusForm | None = None, status: int = 200
) -> HttpResponse:
    lead = selectors.lead_detail(request.user, lead_id)
    context = {
        "lead": lead,
        "status_form": status_form
        or LeadStatusForm(
            prefix="status",
            initial={"status": lead.status, "disqualified_reason": lead.disqualified_reason},
        ),
        "section": "leads",
    }
    return render(request, "sales/lead_detail.html", context, status=status)


@login_required
@deals_access
def lead_page(request: HttpRequest, lead_id: int) -> HttpResponse:
    return _lead_page(request, lead_id)


@require_POST
@login_required
@deals_access
def lead_status(request: HttpRequest, lead_id: int) -> HttpResponse:
    lead = visible_or_404(request.user, Lead.objects.all(), lead_id)
    form = LeadStatusForm(request.POST, prefix="status")
    if form.is_valid():
        try:
            lead_services.set_lead_status(
                request.user,
                lead,
                form.cleaned_data["status"],
                reason=form.cleaned_data["disqualified_reason"],
            )
        except ValidationError as error:
            put_errors(form, error)
    if form.errors:
        return _lead_page(request, lead.pk, status_form=form, status=422)
    messages.success(request, _("Status changed."))
    return redirect("sales:lead_detail", lead.pk)


@login_required
@deals_access
def lead_convert(request: HttpRequest, lead_id: int) -> HttpResponse:
    lead = visible_or_404(
        request.user, Lead.objects.select_related("person", "organization"), lead_id
    )
    if lead.is_converted:
        messages.info(request, _("This lead was already converted."))
        return redirect("sales:deal_detail", lead.converted_deal_id)
    pipeline = selectors.default_pipeline()
    first_stage = (
        pipeline.stages.filter(is_won=False, is_lost=False).order_by("order", "id").first()
        if pipeline
        else None
    )
    initial = {
        "title": lead.title,
        "owner": lead.owner or request.user,
        "stage": first_stage,
        "create_person": bool(lead.first_name or lead.last_name),
        "create_organization": bool(lead.company_name),
        "channel": lead_services.LEAD_SOURCE_CHANNELS[Lead.SourceKind(lead.source)],
    }
    form = ConvertForm(request.POST or None, initial=initial, lead=lead)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        conversion = lead_services.Conversion(
            pipeline=data["stage"].pipeline,
            stage=data["stage"],
            title=data["title"],
            person=data.get("person"),
            organization=data.get("organization"),
            create_person=data.get("create_person", False),
            create_organization=data.get("create_organization", False),
            channel=data.get("channel", ""),
            owner=data.get("owner"),
            amount=data.get("amount_minor"),
            currency=data["currency"],
            exchange_rate=data.get("exchange_rate"),
            expected_close_date=data.get("expected_close_date"),
        )
        if not form.errors:
            try:
                deal = lead_services.convert_lead(request.user, lead, conversion)
            except ValidationError as error:
                put_errors(form, error)
            else:
                messages.success(
                    request, _("Lead converted: deal “%(title)s” opened.") % {"title": deal.title}
                )
                return redirect("sales:deal_detail", deal.pk)
    status = 422 if form.errors else 200
    return render(
        request,
        "sales/lead_convert.html",
        {"form": form, "lead": lead, "section": "leads"},
        status=status,
    )


@require_POST
@login_required
@deals_access
def lead_delete(request: HttpRequest, lead_id: int) -> HttpResponse:
    lead = visible_or_404(request.user, Lead.objects.all(), lead_id)
    try:
        lead_services.delete_lead(request.user, lead)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("sales:lead_detail", lead.pk)
    messages.success(request, _("Lead deleted."))
    return redirect("sales:lead_list")
