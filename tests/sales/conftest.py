import pytest

from connexion.people.models import Organization
from connexion.people.services import (
    ContactDetails,
    create_organization,
    create_person,
    create_source,
)
from connexion.sales.models import Pipeline
from connexion.sales.services import deals as deal_services
from connexion.sales.services import pipelines as pipeline_services
from connexion.sales.services import products as product_services


@pytest.fixture
def source(db):
    return create_source(None, kind="direct", channel="phone")


@pytest.fixture
def somchai(source):
    return create_person(
        None,
        source=source,
        first_name_th="สมชาย",
        last_name_th="ใจดี",
        first_name_en="Somchai",
        last_name_en="Jaidee",
        contacts=ContactDetails(emails=["somchai@example.co.th"]),
    )


@pytest.fixture
def acme(source):
    return create_organization(None, source=source, name_th="บริษัท แอคมี จำกัด", name_en="Acme")


@pytest.fixture
def partner(source):
    return create_organization(
        None, source=source, kind=Organization.Kind.PARTNER, name_en="Safe Insurance"
    )


@pytest.fixture
def pipeline(db):
    """The default pipeline that every installation starts with."""
    return Pipeline.objects.get(is_default=True)


@pytest.fixture
def stages(pipeline):
    """name_en -> stage of the default pipeline."""
    return {stage.name_en: stage for stage in pipeline.stages.all()}


@pytest.fixture
def other_pipeline(db):
    return pipeline_services.create_pipeline(None, name_th="ต่ออายุ", name_en="Renewals")


@pytest.fixture
def crm_product(db):
    return product_services.create_product(
        None, code="CRM-PRO", name_th="ซีอาร์เอ็มโปร", name_en="CRM Pro", price=1_250_050
    )


@pytest.fixture
def make_deal(pipeline, somchai):
    def make(title: str = "CRM for Somchai", **fields):
        fields.setdefault("person", somchai)
        fields.setdefault("amount", 100_000_00)
        return deal_services.create_deal(
            None, title=title, pipeline=fields.pop("pipeline", pipeline), **fields
        )

    return make


@pytest.fixture
def sales_client(client, make_user):
    user = make_user("sales1", roles=("sales",), language="en")
    client.force_login(user)
    client.user = user
    return client
