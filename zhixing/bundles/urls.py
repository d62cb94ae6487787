from django.urls import path

from . import views

app_name = "bundles"

urlpatterns = [
    path("", views.worklist, name="worklist"),
    path("relate/", views.relate, name="relate"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/handover/", views.handover, name="handover"),
]
