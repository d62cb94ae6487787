from ninja import Router

router = Router(tags=["案款"])
