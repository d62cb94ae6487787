from django.urls import path

from . import views

app_name = "distribution"

urlpatterns = [
    path("cases/<int:pk>/", views.case_plans, name="case"),
    path("cases/<int:pk>/create/", views.plan_create, name="create"),
    path("plans/<int:pk>/", views.plan_detail, name="plan"),
    path("plans/<int:pk>/update/", views.plan_update, name="update"),
    path("plans/<int:pk>/lines/", views.line_add, name="line_add"),
    path("plans/<int:pk>/serve/", views.plan_serve, name="serve"),
    path("plans/<int:pk>/withdraw/", views.plan_withdraw, name="withdraw"),
    path("plans/<int:pk>/objections/", views.objection_lodge, name="objection_lodge"),
    path("plans/<int:pk>/amend/", views.plan_amend, name="amend"),
    path("plans/<int:pk>/finalise/", views.plan_finalise, name="finalise"),
    path("plans/<int:pk>/execute/", views.plan_execute, name="execute"),
    path("lines/<int:pk>/remove/", views.line_remove, name="line_remove"),
    path("lines/<int:pk>/payee/", views.line_payee, name="line_payee"),
    path("objections/<int:pk>/notify/", views.objection_notify, name="objection_notify"),
    path("objections/<int:pk>/oppose/", views.objection_oppose, name="objection_oppose"),
    path("objections/<int:pk>/decide/", views.objection_decide, name="objection_decide"),
    path("objections/<int:pk>/suit-end/", views.objection_suit_end, name="objection_suit_end"),
]
