app_name = "buzzgroups"
urlpatterns: list = []
