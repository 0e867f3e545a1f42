"""The console's feed of the newest notes, taken from the round's columns it already has."""

from django import template

from buzzgroups import screens

register = template.Library()


@register.filter
def newest_notes(columns):
    return screens.newest_notes(columns or [])
