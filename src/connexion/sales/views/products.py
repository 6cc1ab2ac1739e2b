"""Pages of the product catalogue, and a person's interests in products
(added and removed from the person's page)."""

from __future__ import annotations

from datetime import datetime, time

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from connexion.lib.forms import put_errors
from connexion.people.selectors import person_or_404
from connexion.sales.forms import InterestForm, ProductForm
from connexion.sales.models import Product, ProductInterest
from connexion.sales.services import interests as interest_services
from connexion.sales.services import products as product_services
from connexion.sales.views.access import deals_access, pipelines_access

# --- products ---------------------------------------------------------------


@login_required
@deals_access
def product_list(request: HttpRequest) -> HttpResponse:
    products = Product.objects.select_related("partner").order_by("-is_active", "code")
    return render(
        request,
        "sales/product_list.html",
        {
            "products": products,
            "section": "products",
            "may_manage": request.user.has_perm("sales.manage_pipelines"),
        },
    )


@login_required
@deals_access
@pipelines_access
def product_create(request: HttpRequest) -> HttpResponse:
    form = ProductForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            product = product_services.create_product(request.user, **form.product_values())
        except ValidationError as error:
            put_errors(form, error)
        else:
            messages.success(request, _("Product “%(name)s” added.") % {"name": product})
            return redirect("sales:product_list")
    status = 422 if form.errors else 200
    return render(
        request,
        "sales/product_form.html",
        {"form": form, "creating": True, "section": "products"},
        status=status,
    )


@login_required
@deals_access
@pipelines_access
def product_edit(request: HttpRequest, product_id: int) -> HttpResponse:
    product = get_object_or_404(Product, pk=product_id)
    form = ProductForm(request.POST or None, initial=ProductForm.initial_for(product))
    if request.method == "POST" and form.is_valid():
        try:
            product_services.update_product(request.user, product, **form.product_values())
        except ValidationError as error:
            put_errors(form, error)
        else:
            messages.success(request, _("Changes saved."))
            return redirect("sales:product_list")
    status = 422 if form.errors else 200
    return render(
        request,
        "sales/product_form.html",
        {"form": form, "product": product, "section": "products"},
        status=status,
    )


# --- a person's interests in products ----------------------------------------


@require_POST
@login_required
@deals_access
def interest_add(request: HttpRequest, person_id: int) -> HttpResponse:
    person = person_or_404(request.user, person_id)
    form = InterestForm(request.POST, prefix="interest")
    if form.is_valid():
        data = form.cleaned_data
        since = (
            timezone.make_aware(datetime.combine(data["since"], time.min))
            if data["since"]
            else None
        )
        try:
            interest_services.record_product_interest(
                request.user,
                person,
                data["product"],
                data["kind"],
                since=since,
                source=data["source"],
                source_detail=data["source_detail"],
            )
        except ValidationError as error:
            put_errors(form, error)
    if form.errors:
        for field, errors in form.errors.items():
            label = form.fields[field].label if field in form.fields else ""
            messages.error(request, f"{label}: {' '.join(errors)}" if label else " ".join(errors))
    else:
        messages.success(request, _("Product interest recorded."))
    return redirect(f"{reverse('people:person_detail', args=[person.pk])}#sales-panel")


@require_POST
@login_required
@deals_access
def interest_remove(request: HttpRequest, interest_id: int) -> HttpResponse:
    interest = get_object_or_404(
        ProductInterest.objects.select_related("person", "product"), pk=interest_id
    )
    interest_services.remove_product_interest(request.user, interest)
    messages.success(request, _("Product interest removed."))
    return redirect(f"{reverse('people:person_detail', args=[interest.person_id])}#sales-panel")
