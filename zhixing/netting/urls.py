from django.urls import path

from . import views

app_name = "netting"

urlpatterns = [
    path("", views.home, name="home"),
    path("new/", views.new, name="new"),
    path("proposals/<int:pk>/", views.proposal_detail, name="proposal"),
    path("proposals/<int:pk>/document/", views.proposal_document, name="document"),
    path("proposals/<int:pk>/update/", views.proposal_update, name="update"),
    path("proposals/<int:pk>/claims/", views.claim_add, name="claim_add"),
    path("proposals/<int:pk>/submit/", views.proposal_submit, name="submit"),
    path("proposals/<int:pk>/consents/", views.consent_record, name="consent"),
    path("proposals/<int:pk>/approve/", views.proposal_approve, name="approve"),
    path("proposals/<int:pk>/apply/", views.proposal_apply, name="apply"),
    path("proposals/<int:pk>/reverse/", views.proposal_reverse, name="reverse"),
    path("proposals/<int:pk>/amend/", views.proposal_amend, name="amend"),
    path("proposals/<int:pk>/withdraw/", views.proposal_withdraw, name="withdraw"),
    path("claims/<int:pk>/remove/", views.claim_remove, name="claim_remove"),
]
