from django.urls import path

from . import views

app_name = "disposal"

urlpatterns = [
    path("", views.home, name="home"),
    path("cases/<int:pk>/", views.case_page, name="case"),
    path("cases/<int:pk>/assets/<int:asset_id>/<slug:action>/", views.asset_action, name="asset_action"),
    path("act/<slug:action>/<int:pk>/", views.row_action, name="row_action"),
    path("packages/<int:pk>/zip/", views.package_download, name="package_download"),
    path("assets/<int:pk>/", views.asset_page, name="asset"),
    path("prices/", views.prices, name="prices"),
    path("prices/import/", views.price_import, name="price_import"),
    path("prices/settings/", views.settings_update, name="settings"),
    path("prices/inquiry-replies/", views.inquiry_import, name="inquiry_import"),
    path("batches/", views.batches, name="batches"),
    path("batches/run/", views.batch_run, name="batch_run"),
    path("batches/<int:pk>/", views.batch_page, name="batch"),
    path("lookups/", views.lookups, name="lookups"),
]
