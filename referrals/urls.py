from django.urls import path

from referrals import counter_views, views

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
    # The counter's referral panel, the inbox (lobby manager, low counter), the VIP room's pool.
    path("counter/panel/", counter_views.counter_panel, name="counter_panel"),
    path("visit/<int:visit_id>/panel/", counter_views.visit_panel, name="visit_panel"),
    path("visit/<int:visit_id>/refer/", counter_views.visit_refer, name="visit_refer"),
    path("inbox/", counter_views.inbox, name="inbox"),
    path("inbox/<int:pk>/claim/", counter_views.inbox_claim, name="inbox_claim"),
    path("inbox/<int:pk>/start/", counter_views.inbox_start, name="inbox_start"),
    path("inbox/<int:pk>/close/", counter_views.inbox_close, name="inbox_close"),
    path("vip-room/", counter_views.vip_pool, name="vip_pool"),
]
