"""Shared set-up of the activities, timeline and dashboard tests."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from django.utils import timezone

from connexion.people.services import ContactDetails, create_person, create_source
from connexion.sales.models import Pipeline
from connexion.sales.services import deals as deal_services


def moment(days: float = 0, hours: float = 0) -> datetime:
    return timezone.now() + timedelta(days=days, hours=hours)


@pytest.fixture
def malee(db):
    source = create_source(None, kind="direct", channel="phone")
    return create_person(
        None,
        source=source,
        first_name_th="มาลี",
        last_name_th="ศรีสุข",
        first_name_en="Malee",
        last_name_en="Srisuk",
        contacts=ContactDetails(emails=["malee@example.co.th"]),
    )


@pytest.fixture
def default_pipeline(db) -> Pipeline:
    return Pipeline.objects.get(is_default=True)


@pytest.fixture
def deal_for(default_pipeline):
    def make(person, title: str = "CRM licence", amount: int = 50_000_00, **fields):
        return deal_services.create_deal(
            None, title=title, pipeline=default_pipeline, person=person, amount=amount, **fields
        )

    return make


@pytest.fixture
def source_person(db):
    source = create_source(None, kind="direct", channel="phone")
    return create_person(None, source=source, first_name_th="สมศักดิ์", last_name_th="ใจงาม")
