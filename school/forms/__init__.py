"""Flask-WTF forms, one module per blueprint that needs them; the checks that matter live in
the services, which the forms call so a page and the API refuse the same input."""
