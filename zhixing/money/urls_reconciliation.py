"""/money/reconciliation/: bank statements, the reconciliation report, and the balance and aging reports."""

from django.urls import path

from . import views_reconciliation as views

app_name = "reconciliation"

urlpatterns = [
    path("", views.report, name="report"),
    path("xlsx/", views.report_xlsx, name="report_xlsx"),
    path("rematch/", views.rematch, name="rematch"),
    path("statements/", views.statement_list, name="statements"),
    path("statements/<int:pk>/", views.statement_detail, name="statement"),
    path("statements/<int:pk>/xlsx/", views.statement_xlsx, name="statement_xlsx"),
    path("balances/", views.balances, name="balances"),
    path("balances/xlsx/", views.balances_xlsx, name="balances_xlsx"),
    path("aging/", views.aging, name="aging"),
    path("aging/xlsx/", views.aging_xlsx, name="aging_xlsx"),
]
