"""Read queries for pages, one module per screen: small dataclasses or DataFrames, scoped to
the caller's offices. Aggregates are computed by the database; nothing loads history into
pandas."""
