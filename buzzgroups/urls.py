from django.urls import path

from buzzgroups import console_views, export_views, phone_views, theme_views, vote_views
from sessions.access import login_first

app_name = "buzzgroups"
urlpatterns = [
    # Participants
    path("", phone_views.home, name="home"),
    path("j/<str:code>/", phone_views.join, name="join"),
    path("j/<str:code>/<id:number>/", phone_views.join, name="join_group"),
    path("p/<str:code>/", phone_views.phone, name="phone"),
    path("p/<str:code>/notes/", phone_views.phone_notes, name="phone_notes"),
    path("p/<str:code>/notes/new/", phone_views.note_create, name="note_create"),
    path("p/<str:code>/notes/<id:note_id>/edit/", phone_views.note_edit, name="note_edit"),
    path("p/<str:code>/notes/<id:note_id>/delete/", phone_views.note_delete, name="note_delete"),
    # Facilitator
    path("w/<str:code>/", console_views.console, name="console"),
    path("w/<str:code>/wall/", console_views.wall, name="wall"),
    path("w/<str:code>/cards/", console_views.table_cards, name="table_cards"),
    path("w/<str:code>/again/", console_views.run_again, name="run_again"),
    path("w/<str:code>/groups/", console_views.groups, name="groups"),
    path("w/<str:code>/groups/count/", console_views.groups_count, name="groups_count"),
    path(
        "w/<str:code>/groups/<id:group_id>/rename/",
        console_views.group_rename,
        name="group_rename",
    ),
    path(
        "w/<str:code>/participants/<id:participant_id>/move/",
        console_views.participant_move,
        name="participant_move",
    ),
    path(
        "w/<str:code>/participants/<id:participant_id>/remove/",
        console_views.participant_remove,
        name="participant_remove",
    ),
    path("w/<str:code>/room/", console_views.room_set, name="room_set"),
    path("w/<str:code>/notes/<id:note_id>/hide/", console_views.note_hide, name="note_hide"),
    path(
        "w/<str:code>/notes/<id:note_id>/approve/",
        console_views.note_approve,
        name="note_approve",
    ),
    path(
        "w/<str:code>/notes/<id:note_id>/highlight/",
        console_views.note_highlight,
        name="note_highlight",
    ),
    # Themes: the synthesis of a round
    path("w/<str:code>/rounds/<id:round_id>/themes/", theme_views.synthesis, name="themes"),
    path(
        "w/<str:code>/rounds/<id:round_id>/themes/new/",
        theme_views.theme_create,
        name="theme_create",
    ),
    path(
        "w/<str:code>/rounds/<id:round_id>/themes/<id:theme_id>/rename/",
        theme_views.theme_rename,
        name="theme_rename",
    ),
    path(
        "w/<str:code>/rounds/<id:round_id>/themes/<id:theme_id>/merge/",
        theme_views.theme_merge,
        name="theme_merge",
    ),
    path(
        "w/<str:code>/rounds/<id:round_id>/themes/<id:theme_id>/move/",
        theme_views.theme_reorder,
        name="theme_reorder",
    ),
    path(
        "w/<str:code>/rounds/<id:round_id>/themes/<id:theme_id>/delete/",
        theme_views.theme_delete,
        name="theme_delete",
    ),
    path(
        "w/<str:code>/rounds/<id:round_id>/notes/<id:note_id>/theme/",
        theme_views.note_set_theme,
        name="note_set_theme",
    ),
    path(
        "w/<str:code>/rounds/<id:round_id>/themes/wall/",
        theme_views.wall_theme_step,
        name="wall_theme_step",
    ),
    path("w/<str:code>/summary.<str:fmt>", export_views.summary_download, name="summary_download"),
    # Dot-voting
    path("w/<str:code>/votes/open/", vote_views.vote_open, name="vote_open"),
    path("w/<str:code>/votes/<id:vote_id>/close/", vote_views.vote_close, name="vote_close"),
    path("w/<str:code>/votes/<id:vote_id>/reveal/", vote_views.vote_reveal, name="vote_reveal"),
    path("p/<str:code>/vote/", vote_views.vote_phone, name="vote_phone"),
    path("p/<str:code>/votes/<id:vote_id>/dots/", vote_views.vote_dot, name="vote_dot"),
]

# Anyone not logged in goes to the login page first, then on to the page asked for.
urlpatterns = login_first(urlpatterns)
