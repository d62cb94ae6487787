from .calendar import reset_fallback_tracking


class CalendarWarningMiddleware:
    """Starts each request with an empty set of fallback years, so the page warns only about its own."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        reset_fallback_tracking()
        return self.get_response(request)
