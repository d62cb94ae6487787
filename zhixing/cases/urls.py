from django.urls import path

from . import views

app_name = "cases"

urlpatterns = [
    path("", views.worklist, name="worklist"),
    path("new/", views.register, name="register"),
    path("new/party-row/", views.party_row, name="party_row"),
    path("new/check-id/", views.check_identity, name="check_identity"),
    path("import/", views.import_cases, name="import"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/nodes/", views.record_node, name="record_node"),
    path("<int:pk>/assign/", views.assign, name="assign"),
    path("<int:pk>/parties/<int:party_id>/", views.edit_party, name="edit_party"),
    path("<int:pk>/close/", views.close, name="close"),
    path("<int:pk>/archive/", views.archive, name="archive"),
]
