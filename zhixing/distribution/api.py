from ninja import Router

router = Router(tags=["参与分配"])
