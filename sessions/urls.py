from django.urls import path

from sessions import views
from sessions.access import login_first

app_name = "sessions"
urlpatterns = [
    path("w/", views.workshop_list, name="workshop_list"),
    path("w/new/", views.workshop_new, name="workshop_new"),
    path("w/<str:code>/program.txt", views.program_download, name="program_download"),
    path("w/<str:code>/people/", views.people, name="people"),
    path("w/<str:code>/people/add/", views.people_add, name="people_add"),
    path(
        "w/<str:code>/people/<id:membership_id>/remove/",
        views.people_remove,
        name="people_remove",
    ),
    path("w/<str:code>/delete/", views.workshop_delete, name="workshop_delete"),
    path("w/<str:code>/agenda/", views.agenda, name="agenda"),
    path("w/<str:code>/agenda/new/", views.agenda_item_new, name="agenda_item_new"),
    path("w/<str:code>/agenda/<id:item_id>/edit/", views.agenda_item_edit, name="agenda_item_edit"),
    path("w/<str:code>/agenda/<id:item_id>/move/", views.agenda_item_move, name="agenda_item_move"),
    path(
        "w/<str:code>/agenda/<id:item_id>/delete/",
        views.agenda_item_delete,
        name="agenda_item_delete",
    ),
    path(
        "w/<str:code>/agenda/<id:item_id>/segment/",
        views.agenda_segment_add,
        name="agenda_segment_add",
    ),
    path(
        "w/<str:code>/rounds/<id:round_id>/edit/",
        views.agenda_segment_edit,
        name="agenda_segment_edit",
    ),
    path(
        "w/<str:code>/rounds/<id:round_id>/remove/",
        views.agenda_segment_remove,
        name="agenda_segment_remove",
    ),
    path("w/<str:code>/show/start/", views.show_start, name="show_start"),
    path("w/<str:code>/show/next/", views.show_next, name="show_next"),
    path("w/<str:code>/show/back/", views.show_back, name="show_back"),
    path("w/<str:code>/show/goto/<id:number>/", views.show_goto, name="show_goto"),
    path("w/<str:code>/end/", views.workshop_end, name="workshop_end"),
    path("w/<str:code>/items/<id:number>/plan/", views.item_plan, name="item_plan"),
    path("w/<str:code>/rounds/<id:round_id>/open/", views.round_open, name="round_open"),
    path("w/<str:code>/rounds/<id:round_id>/extend/", views.round_extend, name="round_extend"),
    path("w/<str:code>/rounds/<id:round_id>/close/", views.round_close, name="round_close"),
    path("w/<str:code>/rounds/<id:round_id>/prompts/", views.round_prompts, name="round_prompts"),
    path("w/<str:code>/hold/", views.hold_notes, name="hold_notes"),
    path("w/<str:code>/wall/layout/", views.wall_layout, name="wall_layout"),
    path("w/<str:code>/wall/reveal/", views.wall_reveal, name="wall_reveal"),
]

# Anyone not logged in goes to the login page first, then on to the page asked for.
urlpatterns = login_first(urlpatterns)
