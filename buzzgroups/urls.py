from django.urls import path

from buzzgroups import console_views, export_views, phone_views, vote_views

app_name = "buzzgroups"
urlpatterns = [
    # Participants
    path("", phone_views.home, name="home"),
    path("j/<str:code>/", phone_views.join, name="join"),
    path("j/<str:code>/<int:number>/", phone_views.join, name="join_group"),
    path("p/<str:code>/", phone_views.phone, name="phone"),
    path("p/<str:code>/notes/", phone_views.phone_notes, name="phone_notes"),
    path("p/<str:code>/notes/new/", phone_views.note_create, name="note_create"),
    path("p/<str:code>/notes/<int:note_id>/edit/", phone_views.note_edit, name="note_edit"),
    path("p/<str:code>/notes/<int:note_id>/delete/", phone_views.note_delete, name="note_delete"),
    # Facilitator
    path("w/<str:code>/", console_views.console, name="console"),
    path("w/<str:code>/wall/", console_views.wall, name="wall"),
    path("w/<str:code>/cards/", console_views.table_cards, name="table_cards"),
    path("w/<str:code>/again/", console_views.run_again, name="run_again"),
    path("w/<str:code>/groups/", console_views.groups, name="groups"),
    path("w/<str:code>/groups/count/", console_views.groups_count, name="groups_count"),
    path(
        "w/<str:code>/groups/<int:group_id>/rename/",
        console_views.group_rename,
        name="group_rename",
    ),
    path(
        "w/<str:code>/participants/<int:participant_id>/move/",
        console_views.participant_move,
        name="participant_move",
    ),
    path("w/<str:code>/notes/<int:note_id>/hide/", console_views.note_hide, name="note_hide"),
    path(
        "w/<str:code>/notes/<int:note_id>/approve/",
        console_views.note_approve,
        name="note_approve",
    ),
    path(
        "w/<str:code>/notes/<int:note_id>/highlight/",
        console_views.note_highlight,
        name="note_highlight",
    ),
    path("w/<str:code>/summary.<str:fmt>", export_views.summary_download, name="summary_download"),
    # Dot-voting
    path("w/<str:code>/votes/open/", vote_views.vote_open, name="vote_open"),
    path("w/<str:code>/votes/<int:vote_id>/close/", vote_views.vote_close, name="vote_close"),
    path("w/<str:code>/votes/<int:vote_id>/reveal/", vote_views.vote_reveal, name="vote_reveal"),
    path("p/<str:code>/vote/", vote_views.vote_phone, name="vote_phone"),
    path("p/<str:code>/votes/<int:vote_id>/dots/", vote_views.vote_dot, name="vote_dot"),
]
