from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.views.generic import RedirectView

from zhixing.api import api

admin.site.site_header = "智慧执行 · 系统管理"
admin.site.site_title = "智慧执行"

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="supervision:home", permanent=False)),
    # Each role lands on its home page (督办首页): its own warnings, its team's or its court's.
    path("login/", auth_views.LoginView.as_view(template_name="login.html", redirect_authenticated_user=True,
                                                next_page="supervision:home"), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("cases/", include("zhixing.cases.urls")),
    path("courts/", include("zhixing.courts.urls")),
    path("supervision/", include("zhixing.supervision.urls")),
    path("property/", include("zhixing.property.urls")),
    path("documents/", include("zhixing.documents.urls")),
    path("money/", include("zhixing.money.urls")),
    path("money/reconciliation/", include("zhixing.money.urls_reconciliation")),
    path("distribution/", include("zhixing.distribution.urls")),
    path("bundles/", include("zhixing.bundles.urls")),
    path("triage/", include("zhixing.triage.urls")),
    path("netting/", include("zhixing.netting.urls")),
    path("indicators/", include("zhixing.indicators.urls")),
    path("closing/", include("zhixing.closing.urls")),
    path("disposal/", include("zhixing.disposal.urls")),
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
]
