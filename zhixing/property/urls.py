from django.urls import include, path

from . import views

app_name = "property"

urlpatterns = [
    path("cases/<int:pk>/", views.case_property, name="case"),
    path("ranking/", views.cash_ranking, name="ranking"),
    path("", include("zhixing.property.urls_queries")),
    path("", include("zhixing.property.urls_measures")),
]
