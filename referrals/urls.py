from django.urls import path

from referrals import views

app_name = "referrals"

urlpatterns = [
    path("", views.queue, name="queue"),
]
