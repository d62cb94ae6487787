from django.urls import path

from . import views

app_name = "documents"

urlpatterns = [
    path("cases/<int:pk>/", views.case_documents, name="case"),
    path("cases/<int:pk>/form/", views.generate_form, name="generate_form"),
    path("cases/<int:pk>/generate/", views.generate, name="generate"),
    path("<int:pk>/docx/", views.download_docx, name="docx"),
    path("<int:pk>/pdf/", views.download_pdf, name="pdf"),
    path("<int:pk>/preview/", views.preview, name="preview"),
    path("<int:pk>/mark/", views.mark, name="mark"),
    path("templates/", views.templates, name="templates"),
    path("templates/<int:pk>/download/", views.template_download, name="template_download"),
    path("templates/<int:pk>/withdraw/", views.template_withdraw, name="template_withdraw"),
    path("batches/", views.batches, name="batches"),
    path("batches/<int:pk>/", views.batch, name="batch"),
    path("batches/<int:pk>/zip/", views.batch_zip, name="batch_zip"),
]
