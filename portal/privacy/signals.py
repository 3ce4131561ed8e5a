"""``consent_withdrawn(point, user)``: sent when a person withdraws a consent; the app that owns
the collection point applies the effect its notice states (e.g. learning leaves the leaderboard)."""

from django.dispatch import Signal

consent_withdrawn = Signal()
