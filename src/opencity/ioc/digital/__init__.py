"""Digital reports (báo cáo số): a month's figures for the city, a ward or a unit as XLSX or PDF,
generated in the background, downloadable, and sent to subscribed leaders at the start of each
month. Every figure comes from ``opencity.reports.kpi`` (see docs/digital-reports.md).

- ``content``: asks ``reports.kpi`` for the figures and lays them out as headline and tables
- ``xlsx``, ``pdf``: render the content (openpyxl; fpdf2 with a Unicode TrueType font)
- ``services``: request, generate, subscribe, the monthly delivery
- ``selectors``, ``permissions``, ``forms``, ``views``: the page at /ioc/reports/
"""
