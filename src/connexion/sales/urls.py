from django.urls import path

from connexion.sales import activity_views, views

app_name = "sales"

urlpatterns = [
    path("", views.deal_list, name="deal_list"),
    path("views/save/", views.save_view, name="save_view"),
    path("views/<int:view_id>/delete/", views.delete_view, name="delete_view"),
    path("deals/new/", views.deal_create, name="deal_create"),
    path("deals/<int:deal_id>/", views.deal_page, name="deal_detail"),
    path("deals/<int:deal_id>/edit/", views.deal_edit, name="deal_edit"),
    path("deals/<int:deal_id>/delete/", views.deal_delete, name="deal_delete"),
    path("deals/<int:deal_id>/move/", views.deal_move, name="deal_move"),
    path("deals/<int:deal_id>/products/", views.deal_line_add, name="deal_line_add"),
    path(
        "deals/<int:deal_id>/products/<int:line_id>/remove/",
        views.deal_line_remove,
        name="deal_line_remove",
    ),
    path("board/", views.board, name="board_default"),
    path("board/<int:pipeline_id>/", views.board, name="board"),
    path("board/stages/<int:stage_id>/more/", views.board_more, name="board_more"),
    path("leads/", views.lead_list, name="lead_list"),
    path("leads/new/", views.lead_create, name="lead_create"),
    path("leads/<int:lead_id>/", views.lead_page, name="lead_detail"),
    path("leads/<int:lead_id>/edit/", views.lead_edit, name="lead_edit"),
    path("leads/<int:lead_id>/status/", views.lead_status, name="lead_status"),
    path("leads/<int:lead_id>/convert/", views.lead_convert, name="lead_convert"),
    path("leads/<int:lead_id>/delete/", views.lead_delete, name="lead_delete"),
    path("people/<int:person_id>/interests/", views.interest_add, name="interest_add"),
    path("interests/<int:interest_id>/remove/", views.interest_remove, name="interest_remove"),
    path("products/", views.product_list, name="product_list"),
    path("products/new/", views.product_create, name="product_create"),
    path("products/<int:product_id>/edit/", views.product_edit, name="product_edit"),
    path("pipelines/", views.pipeline_list, name="pipeline_list"),
    path("pipelines/<int:pipeline_id>/", views.pipeline_edit, name="pipeline_edit"),
    path("pipelines/<int:pipeline_id>/delete/", views.pipeline_delete, name="pipeline_delete"),
    path("pipelines/<int:pipeline_id>/stages/", views.stage_add, name="stage_add"),
    path(
        "pipelines/<int:pipeline_id>/stages/<int:stage_id>/",
        views.stage_edit,
        name="stage_edit",
    ),
]
# Activities, tasks, notes, the timelines, reminders and the dashboard.
urlpatterns += activity_views.urlpatterns
