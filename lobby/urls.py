from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.urls import include, path
from django.views.i18n import set_language

from lobby import counter_views, views

urlpatterns = [
    path("", views.home, name="home"),
    path("login/", auth_views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    # The language switch works on the sign-in page too.
    path("i18n/setlang/", login_not_required(set_language), name="set_language"),
    path("healthz", views.healthz, name="healthz"),
    path("lobby/", include("lobby.lobby_urls")),
    path("display/<str:token>/", counter_views.display, name="display"),
    path("wealth/", include("referrals.urls")),
    path("reports/", include("referrals.reports.urls")),
    path("admin/", admin.site.urls),
]
