from ninja import Router, Schema

from zhixing.cases.selectors import visible_court_ids

from .models import Court, Team

router = Router(tags=["法院与团队"])


class CourtOut(Schema):
    id: int
    name: str
    court_code: str
    level: str
    parent_id: int | None


class TeamOut(Schema):
    id: int
    court_id: int
    name: str
    team_type: str


@router.get("/courts", response=list[CourtOut], summary="可见的法院")
def list_courts(request):
    ids = visible_court_ids(request.user)
    courts = Court.objects.all() if ids is None else Court.objects.filter(pk__in=ids)
    return list(courts.order_by("court_code"))


@router.get("/teams", response=list[TeamOut], summary="可见法院的执行团队")
def list_teams(request):
    ids = visible_court_ids(request.user)
    teams = Team.objects.filter(active=True)
    return list(teams if ids is None else teams.filter(court_id__in=ids))
