from django.urls import path

from . import views

app_name = "cases"

urlpatterns = [
    path("", views.worklist, name="worklist"),
    path("new/", views.register, name="register"),
    path("import/", views.import_cases, name="import"),
    path("<int:pk>/", views.detail, name="detail"),
]
