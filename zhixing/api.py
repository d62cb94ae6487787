"""The JSON API under /api/v1/ (OpenAPI at /api/v1/openapi.json).

Session auth for the pages' own calls (with CSRF), bearer tokens for programs
(`zhixing create-token USERNAME`). Domain errors map once, here, to {"error", "message", "errors"}.
"""

from ninja import NinjaAPI
from ninja.errors import AuthenticationError, ValidationError
from ninja.renderers import JSONRenderer
from ninja.security import HttpBearer, django_auth

from zhixing.accounts.models import ApiToken
from zhixing.cases.exceptions import DomainError, ValidationFailed


class ChineseJSONRenderer(JSONRenderer):
    json_dumps_params = {"ensure_ascii": False}


class BearerToken(HttpBearer):
    def authenticate(self, request, token):
        user = ApiToken.objects.user_for(token)
        if user is not None:
            request.user = user
        return user


api = NinjaAPI(
    title="智慧执行 Zhixing API",
    version="1",
    description="执行案件登记、流程节点、执行日志。金额一律为整数“分”；日期为北京时间。",
    auth=[BearerToken(), django_auth],
    renderer=ChineseJSONRenderer(),
    urls_namespace="api-v1",
)


@api.exception_handler(DomainError)
def _domain_error(request, exc: DomainError):
    body = {"error": exc.code, "message": exc.message}
    if isinstance(exc, ValidationFailed):
        body["errors"] = [e.as_dict() for e in exc.errors]
    return api.create_response(request, body, status=exc.http_status)


@api.exception_handler(ValidationError)
def _schema_error(request, exc: ValidationError):
    errors = []
    for err in exc.errors:
        loc = [str(p) for p in err.get("loc", []) if p not in ("body", "payload", "query", "path", "data")]
        errors.append({"field": ".".join(loc), "message": err.get("msg", "")})
    message = "；".join(f"{e['field']}：{e['message']}" for e in errors[:5])
    return api.create_response(request, {"error": "invalid", "message": message, "errors": errors}, status=422)


@api.exception_handler(AuthenticationError)
def _unauthenticated(request, exc):
    return api.create_response(request, {"error": "unauthenticated", "message": "请登录或提供有效的访问令牌"}, status=401)


from zhixing.bundles.api import router as bundles_router  # noqa: E402
from zhixing.cases.api import router as cases_router  # noqa: E402
from zhixing.closing.api import router as closing_router  # noqa: E402
from zhixing.courts.api import router as courts_router  # noqa: E402
from zhixing.disposal.api import router as disposal_router  # noqa: E402
from zhixing.distribution.api import router as distribution_router  # noqa: E402
from zhixing.documents.api import router as documents_router  # noqa: E402
from zhixing.indicators.api import router as indicators_router  # noqa: E402
from zhixing.money.api import router as money_router  # noqa: E402
from zhixing.money.api_reconciliation import router as reconciliation_router  # noqa: E402
from zhixing.netting.api import router as netting_router  # noqa: E402
from zhixing.property.api import router as property_router  # noqa: E402
from zhixing.supervision.api import router as supervision_router  # noqa: E402
from zhixing.supervision.api_screen import router as screen_router  # noqa: E402
from zhixing.triage.api import router as triage_router  # noqa: E402

api.add_router("/cases", cases_router)
api.add_router("/", courts_router)
api.add_router("/supervision", supervision_router)
api.add_router("/supervision/screen", screen_router)
api.add_router("/property", property_router)
api.add_router("/documents", documents_router)
api.add_router("/money", money_router)
api.add_router("/money/reconciliation", reconciliation_router)
api.add_router("/distribution", distribution_router)
api.add_router("/bundles", bundles_router)
api.add_router("/triage", triage_router)
api.add_router("/netting", netting_router)
api.add_router("/indicators", indicators_router)
api.add_router("/closing", closing_router)
api.add_router("/disposal", disposal_router)
