from .calendar import fallback_years_used


class _LazyYears:
    """Evaluated when the template renders, i.e. after the view computed its deadlines."""

    def __iter__(self):
        return iter(sorted(fallback_years_used()))

    def __bool__(self):
        return bool(fallback_years_used())

    def __str__(self):
        return "、".join(str(y) for y in self)


def calendar_warnings(request):
    return {"calendar_fallback_years": _LazyYears()}
