from django.urls import path

from . import views

app_name = "indicators"

urlpatterns = [
    path("", views.overview, name="overview"),
    path("breakdown/", views.breakdown, name="breakdown"),
    path("trend/", views.trend, name="trend"),
    path("ranking/", views.ranking, name="ranking"),
    path("cases/", views.drill, name="drill"),
    path("report/", views.report, name="report"),
    path("report.pdf", views.report_pdf, name="report_pdf"),
    path("weights/", views.weights, name="weights"),
    path("records/", views.records, name="records"),
    path("records/import/", views.records_import, name="records_import"),
    path("records/petitions/<int:pk>/close/", views.petition_close, name="petition_close"),
    path("records/template/<str:kind>.csv", views.record_template, name="record_template"),
    path("screen-panel/", views.screen_panel, name="screen_panel"),
]
