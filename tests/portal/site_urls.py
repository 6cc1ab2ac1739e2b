"""The application's addresses plus two test pages: one of our own pages with
an analytics-marked script (to prove it stays inert until accepted), and a
page standing for the business's own website, which pastes the cookie
snippet and a web form from the CRM's address."""

from django.http import HttpRequest, HttpResponse
from django.template import engines
from django.urls import path

from connexion.urls import urlpatterns as application

OUR_PAGE = """{% load portal %}<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Our page</title></head>
<body>
{% cookie_banner %}
<h1>Our page</h1>
<script type="text/plain" data-category="analytics" src="/test-site/analytics.js"></script>
<button type="button" data-cx-open>Cookie settings</button>
</body></html>"""

# Sets a cookie and leaves a trace: what an analytics tag would do.
ANALYTICS = """
document.cookie = "cx_test_analytics=1; Path=/";
window.cxAnalyticsRan = (window.cxAnalyticsRan || 0) + 1;
document.documentElement.setAttribute("data-analytics", "ran");
"""

BUSINESS_PAGE = """<!doctype html>
<html lang="th"><head><meta charset="utf-8"><title>Business site</title></head>
<body>
<h1>ร้านตัวอย่าง</h1>
<script type="text/plain" data-category="marketing" src="{crm}/test-site/analytics.js"></script>
{form}
<script src="{crm}/static/portal/cookie-consent.js" defer
  data-consent-url="{crm}/privacy/cookies/consent/"
  data-config-url="{crm}/privacy/cookies/config/"
  data-language="en"></script>
</body></html>"""


def our_page(request: HttpRequest) -> HttpResponse:
    return HttpResponse(engines["django"].from_string(OUR_PAGE).render({}, request))


def analytics(request: HttpRequest) -> HttpResponse:
    return HttpResponse(ANALYTICS, content_type="text/javascript")


def business_page(request: HttpRequest) -> HttpResponse:
    """Served at another origin (127.0.0.1) than the CRM (localhost)."""
    crm = request.GET["crm"]
    form = request.GET.get("form", "")
    embed = (
        f'<script src="{crm}/static/portal/webform-embed.js"'
        f' data-form="{crm}/privacy/forms/{form}/" data-language="en" defer></script>'
        if form
        else ""
    )
    response = HttpResponse(BUSINESS_PAGE.format(crm=crm, form=embed))
    response["Content-Security-Policy"] = (
        f"default-src 'self'; script-src 'self' {crm}; connect-src 'self' {crm}; "
        f"frame-src {crm}; style-src 'self' 'unsafe-inline'"
    )
    return response


urlpatterns = [
    path("test-site/", our_page),
    path("test-site/analytics.js", analytics),
    path("test-site/business/", business_page),
    *application,
]
