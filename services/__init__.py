"""One function per user action: one transaction, domain checks, the change and its audit row."""
