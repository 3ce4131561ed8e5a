"""Signals the survey app sends for other apps.

``response_completed(survey, user)``: a signed-in account has completed ``survey`` (sent after the
response is stored). It carries no response and no answers, on purpose: receivers (the learning
app's points award) may know only that the person took part.
"""

from django.dispatch import Signal

response_completed = Signal()
