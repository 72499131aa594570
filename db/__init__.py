"""Database layer: engine and sessions, typed models, read queries, demo seed, migrations."""
