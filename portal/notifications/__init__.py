"""Notifications: one outbox row per (recipient, channel), message text in templates, transports.

Why a package in the shell and the model in ``portal/models.py``: every app sends notices, so the
outbox belongs to the shell (``portal``) that every app may import, never to one feature app; the
row is a plain model of the shell app (one migration history, no extra ``INSTALLED_APPS`` entry),
while the rules, rendering, transports and the sending task are several small modules that would
crowd ``portal/`` as single files.

- ``rules`` — the table *event → [(recipient role, channel, template key)]* each app registers
  (``register_rules``) and the recipient kinds (``register_recipient_kind``) that turn a stored
  reference into an address at send time.
- ``render`` — ``templates/notifications/<key>.<channel>.txt`` (+ ``<key>.subject.txt`` for
  e-mail), rendered in the site language (zh-hans) from ids in the row's context and what the
  app's context builder (``register_context``) loads; SMS parameters are the variables of
  ``<key>.sms.txt``.
- ``transports`` — the registry (``register_transport("email", EmailTransport)``); each
  transport's ``send(notification)`` sends one row; an unknown channel is an error.
- ``outbox`` — ``notify()`` writes the rows in the caller's transaction and enqueues one
  django-tasks task per row on commit; ``send_notification`` sends one row and retries only that
  row with back-off, up to ``PORTAL_NOTIFY_MAX_ATTEMPTS``.

Adding a notification is docs/architecture.md, "Add a notification".
"""
