from django.urls import path

from buzzgroups import export_views

app_name = "buzzgroups"
urlpatterns = [
    path(
        "w/<str:code>/summary.<str:fmt>",
        export_views.summary_download,
        name="summary_download",
    ),
]
