#!/usr/bin/env bash
# Back up an OpenCity installation: the database, the uploaded files and the embedded keys.
#
#   scripts/backup.sh DEST_DIR        → DEST_DIR/opencity-<UTC time>/ (its path is printed last)
#
# It reads the same OPENCITY_* environment as the app, and asks the app's own settings where
# things are (database, MEDIA_ROOT, VAR_DIR, ARCHIVE_DIR), so it backs up what the app uses.
#
# - PostgreSQL: `pg_dump -Fc` (a consistent snapshot while the app keeps running; pg_restore can
#   restore it in parallel). SQLite (the embedded default): SQLite's online backup API, also
#   consistent while the app writes (`sqlite3 DB ".backup FILE"` does the same).
# - Files: MEDIA_ROOT as media.tar. With OPENCITY_USE_S3=True the photos are in the bucket,
#   which this script does not copy: media.txt names the bucket; back it up with the store's
#   versioning or replication, or a copy to a second bucket (docs/deployment.md, "Backups").
# - The monitoring archive (OPENCITY_ARCHIVE_DIR: months of raw readings dropped from the
#   database) as archive.tar, when there is one.
# - The keys the embedded default made in VAR_DIR (secret_key, identity_secret,
#   oidc_rsa_key.pem), when the environment does not give them: stored credentials are encrypted
#   with SECRET_KEY and national ID hashes keyed by the identity secret, so a database restored
#   without them cannot use those. Keys given by the environment (…_FILE) are not copied: keep
#   them, apart from the backups, wherever the city keeps its secrets.
# - MANIFEST: what was taken, when, and the SHA-256 of each file (restore.sh checks them).
#
# The backup holds personal data (reporters, phone numbers, photos): write it to storage only
# the operators can read, encrypted when it leaves the machine. The directory is made 0700.
set -euo pipefail
DEST=${1:?usage: scripts/backup.sh DEST_DIR}
cd "$(dirname "$0")/.."
PY=${OPENCITY_PYTHON:-.venv/bin/python}
export PYTHONPATH=src DJANGO_SETTINGS_MODULE=opencity.settings

# What the app's settings say (the same defaults, the same *_FILE secrets), as shell variables.
eval "$("$PY" scripts/settings_env.py)"

STAMP=$(date -u +%Y%m%dT%H%M%SZ)
OUT="$DEST/opencity-$STAMP"
umask 077
mkdir -p "$OUT"
chmod 700 "$OUT"
step() { echo "  $*" >&2; }

if [ "$ENGINE" = postgres ]; then
  step "PostgreSQL database $DB_NAME on $DB_HOST:$DB_PORT → database.dump (pg_dump -Fc)"
  PGPASSWORD="$DB_PASSWORD" pg_dump --format=custom --no-password -h "$DB_HOST" -p "$DB_PORT" \
    -U "$DB_USER" -d "$DB_NAME" -f "$OUT/database.dump"
else
  step "SQLite database $DB_NAME → database.sqlite3 (online backup)"
  "$PY" - "$DB_NAME" "$OUT/database.sqlite3" <<'EOF'
import sqlite3, sys
source = sqlite3.connect(sys.argv[1])  # the backup API only reads it
target = sqlite3.connect(sys.argv[2])
with target:
    source.backup(target)
assert target.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
target.close()
source.close()
EOF
fi

if [ -n "$S3" ]; then
  step "Files are in the S3 bucket $S3_BUCKET: not copied here (media.txt)"
  printf 'bucket=%s\nendpoint=%s\nThe files are in object storage; back the bucket up there (docs/deployment.md).\n' \
    "$S3_BUCKET" "${S3_ENDPOINT:-(the provider default)}" >"$OUT/media.txt"
elif [ -d "$MEDIA_ROOT" ]; then
  step "Files in $MEDIA_ROOT → media.tar"
  tar -C "$MEDIA_ROOT" -cf "$OUT/media.tar" .
else
  step "No files yet ($MEDIA_ROOT does not exist)"
fi

if [ -d "$ARCHIVE_DIR" ] && [ -n "$(ls -A "$ARCHIVE_DIR")" ]; then
  step "Monitoring archive $ARCHIVE_DIR → archive.tar"
  tar -C "$ARCHIVE_DIR" -cf "$OUT/archive.tar" .
fi

for key in secret_key identity_secret oidc_rsa_key.pem; do
  if [ -f "$VAR_DIR/$key" ]; then
    mkdir -p "$OUT/keys"
    cp -p "$VAR_DIR/$key" "$OUT/keys/$key"
  fi
done
[ ! -d "$OUT/keys" ] || step "Embedded keys from $VAR_DIR → keys/"

{
  echo "opencity-backup 1"
  echo "taken $STAMP"
  echo "engine $ENGINE"
  echo "database $DB_NAME"
  (cd "$OUT" && find . -type f ! -name MANIFEST -printf '%P\n' | sort | xargs -r sha256sum | sed 's/^/sha256 /')
} >"$OUT/MANIFEST"
step "Done: $(du -sh "$OUT" | cut -f1)"
echo "$OUT"
