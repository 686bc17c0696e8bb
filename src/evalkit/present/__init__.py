"""Presentation: report wording (``i18n``), figures and their colours, the regional report
and the synthesis, the workbook, the index page and the published HTML. Selects, formats
and draws what the results stage computed; fits nothing.
"""
