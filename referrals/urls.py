from django.urls import path

from referrals import views

app_name = "referrals"

urlpatterns = [
    path("", views.queue, name="queue"),
    path("sent/", views.sent, name="sent"),
    path("refer/", views.refer, name="refer"),
    path("<int:pk>/claim/", views.claim, name="claim"),
    path("<int:pk>/start/", views.start, name="start"),
    path("<int:pk>/close/", views.close, name="close"),
    path("<int:pk>/hand-back/", views.hand_back, name="hand_back"),
    path("<int:pk>/decline/", views.decline, name="decline"),
    path("<int:pk>/cancel/", views.cancel, name="cancel"),
    path("<int:pk>/follow-up/", views.follow_up, name="follow_up"),
    path("follow-ups/<int:pk>/done/", views.follow_up_done, name="follow_up_done"),
]
