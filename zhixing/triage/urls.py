from django.urls import path

from . import views

app_name = "triage"

urlpatterns = [
    path("assign/", views.assign_worklist, name="assign"),
    path("assign/run/", views.assign_run, name="assign_run"),
    path("assign/judges/<int:user_id>/", views.judge_page, name="judge"),
    path("rules/", views.rules_page, name="rules"),
    path("transfers/", views.transfers_page, name="transfers"),
    path("transfers/<int:pk>/<str:action>/", views.transfer_action, name="transfer_action"),
    path("cases/<int:pk>/override/", views.override, name="override"),
    path("cases/<int:pk>/override/clear/", views.clear_override, name="clear_override"),
    path("cases/<int:pk>/tags/", views.add_tag, name="add_tag"),
    path("cases/<int:pk>/tags/<int:tag_id>/remove/", views.remove_tag, name="remove_tag"),
    path("cases/<int:pk>/retriage/", views.retriage_case, name="retriage"),
]
