"""Messages of backup and restore of the SQLite database (manage.py backup / restore, issue 5)."""

BACKUP_SQLITE_ONLY = (
    "backup and restore copy a SQLite database; DATABASE_URL points at {backend}: "
    "use pg_dump and pg_restore for PostgreSQL."
)
BACKUP_NO_DATABASE = "there is no database file at {path}."
BACKUP_NOT_MILD = "{path} is not a MILD database (it has no schema revision)."
BACKUP_TARGET_EXISTS = "{path} already exists: name a new file, or a folder to put it in."
BACKUP_FOLDER_MISSING = "the folder {path} does not exist."
BACKUP_ONTO_DATABASE = "{path} is the database itself: back up to another file."
BACKUP_COPY_FAILED = "the copy at {path} failed SQLite's integrity check ({detail}); nothing kept."
RESTORE_NEEDS_YES = (
    "restore replaces everything in {path} with the backup (a safety copy is kept first): "
    "run it again with --yes."
)
RESTORE_NO_FILE = "there is no backup file at {path}."
NOT_A_SQLITE_DATABASE = "{path} is not a SQLite database, or is damaged beyond opening."
RESTORE_DAMAGED = "{path} fails SQLite's integrity check ({detail}); nothing was restored."
RESTORE_UNKNOWN_REVISION = (
    "{path} is at schema revision {revision}, which this version of the app does not know "
    "(made by a newer version?); nothing was restored."
)
RESTORE_SAME_FILE = "{path} is the database itself; nothing to restore."
RESTORE_FAILED = "restoring failed ({detail}); the database is as it was."
BACKUP_CANNOT_WRITE = "cannot write the copy at {path} ({detail})."
