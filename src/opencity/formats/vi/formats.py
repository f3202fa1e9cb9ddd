"""Vietnamese number formats on top of Django's ``django.conf.locale.vi.formats`` (which has the
separators but no grouping): "1.802", "12,5". Dates keep Django's (and the templates' d/m/Y)."""

DECIMAL_SEPARATOR = ","
THOUSAND_SEPARATOR = "."
NUMBER_GROUPING = 3
