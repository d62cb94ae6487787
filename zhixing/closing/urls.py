from django.urls import path

from . import views

app_name = "closing"

urlpatterns = [
    path("", views.home, name="home"),
    path("cases/<int:pk>/findings/", views.finding_add, name="finding_add"),
    path("cases/<int:pk>/findings/withdraw/", views.finding_withdraw, name="finding_withdraw"),
    path("cases/<int:pk>/proposals/", views.proposal_add, name="proposal_add"),
    path("cases/<int:pk>/explanation/", views.explanation_add, name="explanation_add"),
    path("second-investigation/", views.second_investigation, name="second"),
    path("pool/", views.pool_page, name="pool"),
    path("proposals/", views.proposals_page, name="proposals"),
    path("proposals/<int:pk>/<str:action>/", views.proposal_action, name="proposal_action"),
    path("reviews/", views.reviews_page, name="reviews"),
    path("reviews/<int:pk>/", views.review_page, name="review"),
    path("reviews/items/<int:pk>/", views.review_mark, name="review_mark"),
    path("bankruptcy/", views.bankruptcy_page, name="bankruptcy"),
    path("bankruptcy/transfers/", views.transfers_page, name="transfers"),
    path("bankruptcy/transfers/<int:pk>/", views.transfer_page, name="transfer"),
    path("bankruptcy/transfers/<int:pk>/<str:step>/", views.transfer_step, name="transfer_step"),
    path("bankruptcy/documents/<int:pk>/", views.transfer_document, name="transfer_document"),
    path("archive/", views.archive_page, name="archive"),
]
