from . import screen, views

app_name = "supervision"

# views.py: each role's home, the inbox and the case actions; screen.py: command centre and big screen.
urlpatterns = views.urlpatterns + screen.urlpatterns
