from django.urls import path

from connexion.sales.activities import views as activity_views
from connexion.sales.views import board, deals, leads, pipelines, products

app_name = "sales"

urlpatterns = [
    path("", deals.deal_list, name="deal_list"),
    path("views/save/", deals.save_view, name="save_view"),
    path("views/<int:view_id>/delete/", deals.delete_view, name="delete_view"),
    path("deals/new/", deals.deal_create, name="deal_create"),
    path("deals/<int:deal_id>/", deals.deal_page, name="deal_detail"),
    path("deals/<int:deal_id>/edit/", deals.deal_edit, name="deal_edit"),
    path("deals/<int:deal_id>/delete/", deals.deal_delete, name="deal_delete"),
    path("deals/<int:deal_id>/move/", deals.deal_move, name="deal_move"),
    path("deals/<int:deal_id>/products/", deals.deal_line_add, name="deal_line_add"),
    path(
        "deals/<int:deal_id>/products/<int:line_id>/remove/",
        deals.deal_line_remove,
        name="deal_line_remove",
    ),
    path("board/", board.board, name="board_default"),
    path("board/<int:pipeline_id>/", board.board, name="board"),
    path("board/stages/<int:stage_id>/more/", board.board_more, name="board_more"),
    path("leads/", leads.lead_list, name="lead_list"),
    path("leads/new/", leads.lead_create, name="lead_create"),
    path("leads/<int:lead_id>/", leads.lead_page, name="lead_detail"),
    path("leads/<int:lead_id>/edit/", leads.lead_edit, name="lead_edit"),
    path("leads/<int:lead_id>/status/", leads.lead_status, name="lead_status"),
    path("leads/<int:lead_id>/convert/", leads.lead_convert, name="lead_convert"),
    path("leads/<int:lead_id>/delete/", leads.lead_delete, name="lead_delete"),
    path("people/<int:person_id>/interests/", products.interest_add, name="interest_add"),
    path("interests/<int:interest_id>/remove/", products.interest_remove, name="interest_remove"),
    path("products/", products.product_list, name="product_list"),
    path("products/new/", products.product_create, name="product_create"),
    path("products/<int:product_id>/edit/", products.product_edit, name="product_edit"),
    path("pipelines/", pipelines.pipeline_list, name="pipeline_list"),
    path("pipelines/<int:pipeline_id>/", pipelines.pipeline_edit, name="pipeline_edit"),
    path("pipelines/<int:pipeline_id>/delete/", pipelines.pipeline_delete, name="pipeline_delete"),
    path("pipelines/<int:pipeline_id>/stages/", pipelines.stage_add, name="stage_add"),
    path(
        "pipelines/<int:pipeline_id>/stages/<int:stage_id>/",
        pipelines.stage_edit,
        name="stage_edit",
    ),
]
# Activities, tasks, notes, the timelines, reminders and the dashboard.
urlpatterns += activity_views.urlpatterns
