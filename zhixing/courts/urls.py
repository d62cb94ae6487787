from django.urls import path

from . import views

app_name = "courts"

urlpatterns = [path("", views.overview, name="overview")]
