"""Presentation: report wording (``i18n``), figures, the regional report and the synthesis,
the workbook and the index page. Selects, formats and draws what the results stage
computed; fits nothing.
"""
