from django.urls import path

from lobby import views

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
    path("counter/", views.counter, name="counter"),
]
