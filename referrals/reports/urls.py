from django.urls import path

from referrals.reports import views

app_name = "reports"

urlpatterns = [
    path("", views.index, name="index"),
    path("csv/<slug:table>/", views.export_csv, name="csv"),
    path("xlsx/", views.export_xlsx, name="xlsx"),
    path("compare/", views.compare, name="compare"),
    path("compare/csv/<slug:table>/", views.compare_csv, name="compare_csv"),
    path("compare/xlsx/", views.compare_xlsx, name="compare_xlsx"),
]
