from django.contrib.auth.decorators import login_required
from django.http import HttpResponse


@login_required
def worklist(request):
    return HttpResponse("worklist")


@login_required
def register(request):
    return HttpResponse("register")


@login_required
def import_cases(request):
    return HttpResponse("import")


@login_required
def detail(request, pk):
    return HttpResponse("detail")
