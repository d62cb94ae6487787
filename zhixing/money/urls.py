from django.urls import path

from . import views

app_name = "money"

urlpatterns = [
    path("", views.home, name="home"),
    path("receipts/", views.receipt_record, name="receipt_record"),
    path("receipts/<int:pk>/assign/", views.receipt_assign, name="receipt_assign"),
    path("receipts/<int:pk>/return/", views.receipt_return, name="receipt_return"),
    path("unidentified/", views.unidentified_list, name="unidentified"),
    path("cases/", views.cases_list, name="cases"),
    path("cases/<int:pk>/", views.case_money, name="case"),
    path("cases/<int:pk>/fee/", views.fee_settle, name="fee_settle"),
    path("cases/<int:pk>/orders/", views.order_create, name="order_create"),
    path("cases/<int:pk>/deferrals/", views.deferral_request, name="deferral_request"),
    path("deferrals/<int:pk>/decide/", views.deferral_decide, name="deferral_decide"),
    path("deferrals/<int:pk>/end/", views.deferral_end, name="deferral_end"),
    path("fee-remittances/", views.fee_remit, name="fee_remit"),
    path("orders/", views.orders_list, name="orders"),
    path("orders/<int:pk>/", views.order_detail, name="order"),
    path("orders/<int:pk>/decide/", views.order_decide, name="order_decide"),
    path("orders/<int:pk>/cancel/", views.order_cancel, name="order_cancel"),
    path("orders/<int:pk>/pay/", views.order_pay, name="order_pay"),
    path("journals/", views.journals_list, name="journals"),
    path("journals/<int:pk>/reverse/", views.journal_reverse, name="journal_reverse"),
    path("settings/", views.settings_page, name="settings"),
]
