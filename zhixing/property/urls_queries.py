"""集约查控 pages; included by zhixing/property/urls.py under the "property" namespace."""

from django.urls import path

from . import views_queries as views

urlpatterns = [
    path("batch/", views.batch_send_page, name="queries_batch"),
    path("batches/", views.batch_list, name="queries_batches"),
    path("batches/<int:pk>/request/", views.request_file, name="queries_request_file"),
    path("replies/", views.reply_upload, name="queries_replies"),
]
