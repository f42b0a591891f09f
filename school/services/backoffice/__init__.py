"""The coordination team's tools: figures (stats), exports, organiser accounts and API
tokens, database backups."""
