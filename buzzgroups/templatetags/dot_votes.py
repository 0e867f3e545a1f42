"""``{% vote_ballot vote participant as ballot %}``: the vote as one phone sees it.

The phone stage is one template for the page and for the pushed frames; only
the page knows who is holding the phone, so the ballot is built here.
"""

from django import template

from buzzgroups import voting

register = template.Library()


@register.simple_tag
def vote_ballot(vote, participant):
    return voting.ballot(vote, participant)
