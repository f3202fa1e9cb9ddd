#!/usr/bin/env bash
# Restore a backup made by scripts/backup.sh into a fresh installation.
#
#   scripts/restore.sh BACKUP_DIR
#
# With the same OPENCITY_* environment as the app (it asks the app's settings where things go):
# - checks the MANIFEST's SHA-256 sums first, and restores nothing if one differs;
# - PostgreSQL: creates the database OPENCITY_DB_NAME (it must not exist: the script never
#   writes over a database; drop the broken one, or restore under a new name and point the app
#   at it) and fills it with `pg_restore` (OPENCITY_RESTORE_JOBS parallel jobs, default 2), then
#   ANALYZE (pg_restore brings no planner statistics). The dump's owner is not kept
#   (--no-owner): the objects belong to OPENCITY_DB_USER, the app's own role;
# - SQLite: copies the database file into place (it must not exist);
# - unpacks media.tar into MEDIA_ROOT and archive.tar into OPENCITY_ARCHIVE_DIR (each must be
#   missing or empty);
# - puts back the embedded keys into VAR_DIR where none is there yet, and stops if a different
#   one is (the restored data needs the keys it was written with).
# Then start the app: `manage.py migrate` applies what a newer release added.
set -euo pipefail
BACKUP=${1:?usage: scripts/restore.sh BACKUP_DIR}
BACKUP=$(cd "$BACKUP" && pwd)
cd "$(dirname "$0")/.."
PY=${OPENCITY_PYTHON:-.venv/bin/python}
export PYTHONPATH=src DJANGO_SETTINGS_MODULE=opencity.settings
fail() { echo "restore.sh: $*" >&2; exit 1; }
step() { echo "  $*" >&2; }

[ -f "$BACKUP/MANIFEST" ] && head -1 "$BACKUP/MANIFEST" | grep -qx "opencity-backup 1" \
  || fail "$BACKUP is not a backup made by scripts/backup.sh (no MANIFEST)"
(cd "$BACKUP" && sed -n 's/^sha256 //p' MANIFEST | sha256sum --quiet --check -) \
  || fail "a file of $BACKUP does not match its MANIFEST sum: nothing restored"
step "Backup $BACKUP: sums match"

eval "$("$PY" scripts/settings_env.py)"
TAKEN_ENGINE=$(sed -n 's/^engine //p' "$BACKUP/MANIFEST")
[ "$TAKEN_ENGINE" = "$ENGINE" ] \
  || fail "the backup is of a $TAKEN_ENGINE database, this installation uses $ENGINE (OPENCITY_DB_ENGINE)"

empty_or_missing() { [ ! -e "$1" ] || { [ -d "$1" ] && [ -z "$(ls -A "$1")" ]; }; }
# Check every target before changing anything.
[ ! -f "$BACKUP/media.tar" ] || empty_or_missing "$MEDIA_ROOT" \
  || fail "$MEDIA_ROOT is not empty: move it away first"
[ ! -f "$BACKUP/archive.tar" ] || empty_or_missing "$ARCHIVE_DIR" \
  || fail "$ARCHIVE_DIR is not empty: move it away first"
if [ -d "$BACKUP/keys" ]; then
  for key in "$BACKUP"/keys/*; do
    here="$VAR_DIR/$(basename "$key")"
    [ ! -f "$here" ] || cmp -s "$key" "$here" \
      || fail "$here differs from the backup's: the restored data needs the backup's key (move $here away)"
  done
fi

if [ "$ENGINE" = postgres ]; then
  export PGPASSWORD="$DB_PASSWORD"
  step "Creating PostgreSQL database $DB_NAME on $DB_HOST:$DB_PORT"
  createdb --no-password -h "$DB_HOST" -p "$DB_PORT" -U "$DB_USER" "$DB_NAME" \
    || fail "could not create the database $DB_NAME (does it exist already?)"
  step "pg_restore database.dump → $DB_NAME"
  pg_restore --no-password --no-owner --exit-on-error --jobs "${OPENCITY_RESTORE_JOBS:-2}" \
    -h "$DB_HOST" -p "$DB_PORT" -U "$DB_USER" -d "$DB_NAME" "$BACKUP/database.dump"
  psql --no-password -q -h "$DB_HOST" -p "$DB_PORT" -U "$DB_USER" -d "$DB_NAME" -c ANALYZE
else
  [ ! -e "$DB_NAME" ] || fail "$DB_NAME exists: move it away first"
  step "SQLite database.sqlite3 → $DB_NAME"
  mkdir -p "$(dirname "$DB_NAME")"
  cp "$BACKUP/database.sqlite3" "$DB_NAME.restoring"
  mv "$DB_NAME.restoring" "$DB_NAME"
fi

if [ -f "$BACKUP/media.tar" ]; then
  step "media.tar → $MEDIA_ROOT"
  mkdir -p "$MEDIA_ROOT"
  tar -C "$MEDIA_ROOT" -xf "$BACKUP/media.tar"
elif [ -f "$BACKUP/media.txt" ]; then
  step "The files were in object storage: $(head -1 "$BACKUP/media.txt") (restore the bucket there)"
fi
if [ -f "$BACKUP/archive.tar" ]; then
  step "archive.tar → $ARCHIVE_DIR"
  mkdir -p "$ARCHIVE_DIR"
  tar -C "$ARCHIVE_DIR" -xf "$BACKUP/archive.tar"
fi
if [ -d "$BACKUP/keys" ]; then
  mkdir -p "$VAR_DIR"
  for key in "$BACKUP"/keys/*; do
    [ -f "$VAR_DIR/$(basename "$key")" ] || cp -p "$key" "$VAR_DIR/"
  done
  step "Embedded keys → $VAR_DIR"
fi
step "Restored. Next: manage.py migrate, then start the app."
