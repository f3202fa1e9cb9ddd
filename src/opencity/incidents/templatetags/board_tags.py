"""``{% board_summary incident visible_wards as board %}``: the task board's part of the
incident page (counts, urgent and overdue tasks, teams), read through the board's selectors."""

from django import template

from .. import selectors_board

register = template.Library()


@register.simple_tag
def board_summary(incident, visible_wards):
    return selectors_board.board_summary(incident, visible_wards)
