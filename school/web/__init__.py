"""The web: one blueprint per audience — ``public`` (the programme), ``registration`` (the
form), ``participant/`` (``/my/<token>``), ``speaker``, ``feeds`` (calendars, frab),
``survey`` (``/survey/<token>``, after the School), ``organiser/`` (the back
office) and ``api/`` (JSON) — and what they share: ``auth``,
``errors``, ``security``, ``templating``, ``render_cache``. Routes are thin: they read a
form or a body, call a service, and render what it returns."""
