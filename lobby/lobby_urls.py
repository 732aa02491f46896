from django.urls import path

from lobby import views

app_name = "lobby"

urlpatterns = [
    path("tablet/", views.tablet, name="tablet"),
    path("counter/", views.counter, name="counter"),
    path("reports/", views.reports, name="reports"),
]
