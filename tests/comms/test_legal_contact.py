"""The legal-obligation path (policy 5.6) is narrow: only the privacy officer,
only with the reference of the order or the law; each use is on the privacy
dashboard. A restriction does not stop what the law itself requires."""

import pytest
from django.test import Client
from django.utils import translation

from connexion.comms.models import OutgoingEmail
from connexion.comms.services import SendRefused, save_template, send_email
from connexion.privacy.ledger.services import restrict
from connexion.privacy.models import DataUse, Purpose

pytestmark = pytest.mark.django_db
LAW = "Revenue Code s.86/4"


@pytest.fixture
def legal_notice(db):
    return save_template(
        None,
        name="Legal notice",
        purpose=Purpose.objects.get(code="legal-contact"),
        subject_th="แจ้งตามกฎหมาย",
        body_th="เรียน คุณ{{ first_name }}",
        subject_en="Legal notice",
        body_en="Dear {{ first_name }}",
    )


def _send(actor, person, template, reference=""):
    return send_email(
        actor,
        person,
        template=template,
        email_address=person.emailaddresss.get(is_primary=True),
        language="en",
        reference=reference,
    )


def test_only_the_privacy_officer_with_a_reference_contacts_on_a_legal_obligation(
    smtp, make_user, malee, legal_notice
):
    address = malee.emailaddresss.get(is_primary=True)
    restrict(None, malee, scope="contact_point", contact_point=address, reason="no email")
    seller = make_user("seller", roles=("sales",))
    officer = make_user("dpo", roles=("privacy_officer",))

    with translation.override("en"), pytest.raises(SendRefused) as refused:
        _send(seller, malee, legal_notice, reference=LAW)
    assert refused.value.decision.codes == ["legal_permission"]
    with translation.override("en"), pytest.raises(SendRefused) as refused:
        _send(officer, malee, legal_notice)
    assert refused.value.decision.codes == ["legal_reference"]
    assert smtp.messages == [] and not OutgoingEmail.objects.exists()

    # The officer, with the law's reference: past the restriction, as s.34 allows.
    assert _send(officer, malee, legal_notice, reference=LAW).status == "sent"
    uses = list(DataUse.objects.order_by("id").values_list("allowed", "refusals", "reference"))
    assert uses == [
        (False, ["legal_permission"], LAW),
        (False, ["legal_reference"], ""),
        (True, [], LAW),
    ]

    dashboard = Client()
    dashboard.force_login(officer)
    with translation.override("en"):
        page = dashboard.get("/data-protection/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    listed = page.split('data-testid="legal-uses"')[1].split("</table>")[0]
    assert LAW in listed and ("Malee" in listed or "มาลี" in listed)


def test_the_send_page_asks_for_the_reference_and_refuses_a_seller(
    smtp, make_user, malee, legal_notice
):
    seller = Client()
    seller.force_login(make_user("seller2", roles=("sales",), language="en"))
    address = malee.emailaddresss.get(is_primary=True)
    response = seller.post(
        f"/comms/people/{malee.pk}/email/",
        {
            "template": legal_notice.pk,
            "email_address": address.pk,
            "language": "en",
            "reference": LAW,
        },
    )
    assert response.status_code == 422
    assert "Only the privacy officer may use personal data on a legal obligation." in (
        response.content.decode()
    )
    assert smtp.messages == []
