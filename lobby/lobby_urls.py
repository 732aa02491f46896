from django.urls import path

from lobby import counter_views, views

app_name = "lobby"

urlpatterns = [
    path("tablet/", views.tablet, name="tablet"),
    path("tablet/route/", views.route, name="route"),
    path("tablet/check-in/", views.check_in, name="check_in"),
    path("board/", views.board, name="board"),
    path("glance/", views.glance, name="glance"),
    path(
        "visit/<int:visit_id>/<str:action>/",
        views.visit_action,
        name="visit_action",
    ),
    path("counter/", counter_views.counter, name="counter"),
    path("counter/<str:action>/", counter_views.counter_action, name="counter_action"),
    path(
        "counter/ticket/<int:ticket_id>/<str:action>/",
        counter_views.counter_ticket,
        name="counter_ticket",
    ),
    path("no-shows/", counter_views.no_shows, name="no_shows"),
    path(
        "no-shows/<int:ticket_id>/return/",
        counter_views.return_no_show,
        name="return_no_show",
    ),
]
