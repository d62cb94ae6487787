"""Pages of assets, measures, clues and investigations; included by property/urls.py (namespace "property")."""

from django.urls import path

from . import views_measures as views

urlpatterns = [
    path("measures/cases/<int:pk>/assets/", views.asset_add, name="measures_asset_add"),
    path("measures/cases/<int:pk>/take/", views.measure_take, name="measures_take"),
    path("measures/<int:measure_id>/renew/", views.measure_renew, name="measures_renew"),
    path("measures/<int:measure_id>/release/", views.measure_release, name="measures_release"),
    path("measures/<int:measure_id>/lapse/", views.measure_lapse, name="measures_lapse"),
    path("expiring/", views.expiring, name="measures_expiring"),
    path("clues/cases/<int:pk>/", views.clue_receive, name="clues_receive"),
    path("clues/<int:clue_id>/verify/", views.clue_verify, name="clues_verify"),
    path("investigations/cases/<int:pk>/lawyer-orders/", views.lawyer_issue, name="investigations_lawyer_issue"),
    path("investigations/lawyer-orders/<int:order_id>/return/", views.lawyer_return, name="investigations_lawyer_return"),
    path("investigations/cases/<int:pk>/audits/", views.audit_apply, name="investigations_audit_apply"),
    path("investigations/audits/<int:audit_id>/decide/", views.audit_decide, name="investigations_audit_decide"),
    path("investigations/audits/<int:audit_id>/finish/", views.audit_finish, name="investigations_audit_finish"),
    path("leads/cases/<int:pk>/", views.lead_record, name="leads_record"),
    path("leads/<int:lead_id>/outcome/", views.lead_outcome, name="leads_outcome"),
]
