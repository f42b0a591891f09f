"""The domain: every rule of the School, once, as plain functions over a database session
(no Flask request). One package per business area — ``programme``, ``registration``,
``checkin``, ``badges``, ``publishing``, ``mail``, ``backoffice``, ``network`` — and beside
them the few pieces every area shares: ``errors``, ``audit``, ``pdf_fonts``,
``email_addresses``."""
