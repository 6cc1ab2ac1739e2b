"""The home dashboard and the sales dashboard: figures computed by the
database, each one a link to the list it counts; periods in the user's
calendar (Buddhist Era in Thai)."""

from datetime import date, timedelta

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from connexion.sales.activities import services as activity_services
from connexion.sales.activities.dashboards import (
    home_dashboard,
    month_of,
    quarter_of,
    sales_dashboard,
)
from connexion.sales.models import Deal
from connexion.sales.services import deals as deal_services
from connexion.sales.services import leads as lead_services
from tests.sales import activity_helpers as helpers

malee, deal_for, default_pipeline = helpers.malee, helpers.deal_for, helpers.default_pipeline


def _stage(pipeline, name_en):
    return pipeline.stages.get(name_en=name_en)


def test_periods():
    assert month_of(date(2024, 2, 10)) == month_of(date(2024, 2, 29))
    assert month_of(date(2024, 2, 10)).last == date(2024, 2, 29)
    assert month_of(date(2025, 12, 31)).first == date(2025, 12, 1)
    quarter = quarter_of(date(2025, 11, 5))
    assert (quarter.first, quarter.last) == (date(2025, 10, 1), date(2025, 12, 31))
    assert quarter_of(date(2025, 3, 31)).first == date(2025, 1, 1)


def test_pipeline_value_weighted_and_not(make_user, malee, deal_for, default_pipeline):
    staff = make_user()
    proposal = _stage(default_pipeline, "Proposal sent")  # 50 %
    negotiation = _stage(default_pipeline, "Negotiation")  # 75 %
    deal_for(malee, amount=100_000_00, stage=proposal, owner=staff)
    deal_for(malee, amount=33_333_33, stage=proposal, owner=staff)
    deal_for(malee, amount=10_000_01, stage=negotiation, owner=staff)
    board = sales_dashboard(None)
    [block] = [b for b in board.pipelines if b.pipeline == default_pipeline]
    rows = {row.stage.name_en: row for row in block.stages}
    assert (rows["Proposal sent"].count, rows["Proposal sent"].total) == (2, 133_333_33)
    # Half of 133,333.33 baht, rounded to the satang.
    assert rows["Proposal sent"].weighted == 66_666_67
    assert rows["Negotiation"].weighted == 7_500_01
    assert rows["Qualified"].count == 0
    assert "Won" not in rows and "Lost" not in rows  # closed stages are not pipeline
    assert block.total == 143_333_34


def test_won_and_lost_this_month_and_quarter(make_user, malee, deal_for, default_pipeline):
    staff = make_user()
    won = _stage(default_pipeline, "Won")
    lost = _stage(default_pipeline, "Lost")
    a = deal_for(malee, amount=20_000_00)
    b = deal_for(malee, amount=5_000_00)
    c = deal_for(malee, amount=7_000_00)
    deal_services.move_deal(staff, a, won)
    deal_services.move_deal(staff, b, lost, lost_reason="Budget")
    deal_services.move_deal(staff, c, won)
    # One deal was won long before this quarter.
    Deal.objects.filter(pk=c.pk).update(closed_at=timezone.now() - timedelta(days=200))
    outcomes = dict(sales_dashboard(None).outcomes)
    month = outcomes["month"]
    assert (month.won_count, month.won_total, month.lost_count, month.lost_total) == (
        1,
        20_000_00,
        1,
        5_000_00,
    )
    assert outcomes["quarter"].won_count == 1


def test_activities_per_staff_member_and_overdue_tasks(make_user, malee):
    somchai, somsri = make_user("somchai"), make_user("somsri", first_name="Somsri")
    now = timezone.now()
    for _ in range(3):
        activity_services.log_activity(
            somchai, kind="call", subject="c", occurred_at=now, person=malee
        )
    activity_services.log_activity(somsri, kind="visit", subject="v", occurred_at=now, person=malee)
    # Planned for tomorrow: not done yet.
    activity_services.log_activity(
        somsri, kind="meeting", subject="m", occurred_at=now + timedelta(days=1), person=malee
    )
    late = now - timedelta(days=1)
    activity_services.create_task(somchai, title="late", assignee=somsri, person=malee, due_at=late)
    board = sales_dashboard(None)
    counts = {row["name"]: row["count"] for row in board.activities_by_staff}
    assert counts == {"somchai": 3, "Somsri": 1}
    assert board.overdue_total == 1
    assert board.overdue_by_assignee[0]["name"] == "Somsri"


def test_the_dashboard_queries_do_not_grow_with_deals(make_user, malee, deal_for):
    staff = make_user()
    deal_for(malee, owner=staff)
    with CaptureQueriesContext(connection) as few:
        sales_dashboard(None)
    for index in range(30):
        deal_for(malee, title=f"Deal {index}", owner=staff)
    with CaptureQueriesContext(connection) as many:
        sales_dashboard(None)
    assert len(few.captured_queries) == len(many.captured_queries)


def test_every_number_links_to_its_filtered_list(client, make_user, malee, deal_for):
    staff = make_user("manager", roles=("sales",), language="en")
    client.force_login(staff)
    deal_for(malee, owner=staff)
    activity_services.log_activity(
        staff, kind="call", subject="c", occurred_at=timezone.now(), person=malee
    )
    lead_services.create_lead(staff, title="Website enquiry", source="web_form", first_name="Anan")
    html = client.get(reverse("sales:sales_dashboard")).content.decode()
    today = timezone.localdate()
    month = month_of(today)
    assert "/sales/?pipeline=" in html and "&amp;stage=" in html and "status=open" in html
    assert f"status=won&amp;closed_from={month.first}&amp;closed_to={month.last}" in html
    assert f"/sales/activities/?staff={staff.pk}&amp;since={month.first}&amp;until={today}" in html
    assert "/sales/tasks/?status=overdue" in html
    assert f"/sales/leads/?source=web_form&amp;created_from={month.first}" in html
    assert 'id="dashboard-charts"' in html and "ui/chart.umd.min.js" in html
    # The lists the links open answer.
    assert client.get(f"/sales/activities/?staff={staff.pk}&since={month.first}").status_code == 200
    assert client.get("/sales/tasks/?status=overdue").status_code == 200


def test_periods_are_shown_in_the_buddhist_era_in_thai(client, make_user):
    client.force_login(make_user("thai", roles=("sales",), language="th"))
    html = client.get(reverse("sales:sales_dashboard")).content.decode()
    year = timezone.localdate().year
    periods = html.split('data-testid="periods"')[1].split("</p>")[0]
    assert str(year + 543) in periods and str(year) not in periods
    client.force_login(make_user("eng", roles=("sales",), language="en"))
    html = client.get(reverse("sales:sales_dashboard")).content.decode()
    periods = html.split('data-testid="periods"')[1].split("</p>")[0]
    assert str(year) in periods and str(year + 543) not in periods


def test_support_staff_cannot_open_the_sales_dashboard(client, make_user):
    client.force_login(make_user("support1", roles=("support",)))
    assert client.get(reverse("sales:sales_dashboard")).status_code == 403


def test_home_shows_my_day(client, make_user, malee, deal_for):
    staff = make_user("wichai", roles=("sales",), language="en")
    client.force_login(staff)
    deal_for(malee, title="Big licence", owner=staff)
    now = timezone.now()
    activity_services.create_task(
        staff, title="Late call", assignee=staff, person=malee, due_at=now - timedelta(hours=3)
    )
    activity_services.log_activity(
        staff, kind="visit", subject="Visited the office", occurred_at=now, person=malee
    )
    board = home_dashboard(staff)
    assert (board.open_deal_count, board.overdue_count) == (1, 1)
    html = client.get(reverse("ui:home")).content.decode()
    assert 'data-testid="home-dashboard"' in html
    assert "Big licence" in html and "Late call" in html and "Visited the office" in html
    assert f"/sales/tasks/?status=overdue&amp;assignee={staff.pk}" in html


def test_the_won_figure_opens_the_deals_won_in_that_period(
    client, make_user, malee, deal_for, default_pipeline
):
    staff = make_user("manager", roles=("sales",), language="en")
    client.force_login(staff)
    won = _stage(default_pipeline, "Won")
    recent = deal_for(malee, title="Won this month")
    old = deal_for(malee, title="Won long ago")
    deal_services.move_deal(staff, recent, won)
    deal_services.move_deal(staff, old, won)
    Deal.objects.filter(pk=old.pk).update(closed_at=timezone.now() - timedelta(days=400))
    html = client.get(reverse("sales:sales_dashboard")).content.decode()
    link = html.split('data-testid="won-month"')[0].rsplit('href="', 1)[1].split('"')[0]
    listed = client.get(link.replace("&amp;", "&")).content.decode()
    assert "Won this month" in listed and "Won long ago" not in listed
