"""Django's PostgreSQL backend, able to run a query as a statement prepared on the server
(see ``base``)."""
