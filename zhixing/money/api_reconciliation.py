from ninja import Router

router = Router(tags=["案款对账与报表"])
