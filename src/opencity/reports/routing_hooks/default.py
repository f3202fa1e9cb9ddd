"""Default hook: take the rule as found."""


def adjust(report, rule):
    return rule
