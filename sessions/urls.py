from django.urls import path

from sessions import views

app_name = "sessions"
urlpatterns = [
    path("w/", views.workshop_list, name="workshop_list"),
    path("w/new/", views.workshop_new, name="workshop_new"),
    path("w/<str:code>/program.txt", views.program_download, name="program_download"),
    path("w/<str:code>/show/start/", views.show_start, name="show_start"),
    path("w/<str:code>/show/next/", views.show_next, name="show_next"),
    path("w/<str:code>/show/back/", views.show_back, name="show_back"),
    path("w/<str:code>/show/goto/<int:number>/", views.show_goto, name="show_goto"),
    path("w/<str:code>/end/", views.workshop_end, name="workshop_end"),
    path("w/<str:code>/items/<int:number>/plan/", views.item_plan, name="item_plan"),
    path("w/<str:code>/rounds/<int:round_id>/open/", views.round_open, name="round_open"),
    path("w/<str:code>/rounds/<int:round_id>/extend/", views.round_extend, name="round_extend"),
    path("w/<str:code>/rounds/<int:round_id>/close/", views.round_close, name="round_close"),
    path("w/<str:code>/rounds/<int:round_id>/prompts/", views.round_prompts, name="round_prompts"),
    path("w/<str:code>/wall/layout/", views.wall_layout, name="wall_layout"),
    path("w/<str:code>/wall/reveal/", views.wall_reveal, name="wall_reveal"),
]
