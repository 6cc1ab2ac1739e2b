from datetime import timedelta
import pytest
from django.utils import timezone
from tests.conftest import sign_in_page
from tests.privacy.test_processing_record import new_person, REJECTION, WORDING
from connexion.privacy.services import *

@pytest.mark.browser
def test_shot(live_server, make_user, page, person, product_contact, marketing):
    o = record_objection(None, person, product_contact)
    decide_objection(None, o, accept=False, reason=REJECTION)
    give_consent(None, person, marketing, wording=WORDING, channel="web_form")
    record_disclosure(None, person, basis="consent", purpose=marketing, categories=["3.2"], recipient_name="Agency", reason="x")
    record_disclosure(None, person, basis="legal_obligation", categories=["3.1"], recipient_name="กรมสรรพากร", legal_reference="1", reason="x")
    now = timezone.now()
    record_breach(None, title="แฟ้มเอกสารสูญหาย", description="", occurred_at=now-timedelta(days=5), aware_at=now-timedelta(days=4), categories=["3.1"], people_affected=3, risk="high", risk_reasoning="x")
    user = make_user("dpo", roles=("privacy_officer",), language="th")
    sign_in_page(page, live_server, user)
    page.goto(live_server.url + "/data-protection/record-of-processing/")
    h = page.evaluate("document.body.scrollHeight")
    for i in range(0, min(h, 7200), 1200):
        page.screenshot(path=f"/tmp/rop_screen_{i//1200}.png", full_page=True, clip={"x":0,"y":i,"width":1280,"height":1200})
    page.emulate_media(media="print")
    page.screenshot(path="/tmp/rop_print_0.png", full_page=True, clip={"x":0,"y":0,"width":1280,"height":1200})
    print("HEIGHT", h)
