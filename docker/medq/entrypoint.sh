#!/bin/sh
# The medq container's start (Dockerfile ENTRYPOINT, run as the image's `node` user under tini):
#   1. migrations (the data volume keeps the clinic's database across restarts and upgrades);
#   2. the demo clinic only when MEDQ_DEMO_SEED=on (never by default: it would come back after
#      every restart, undo staff edits and take calls to unknown DIDs);
#   3. the prompts and the clinic's names rendered into the prompts volume, which the Asterisk
#      container reads as its sounds folder (ASTERISK_SOUNDS_DIR=/prompts, set by the image and
#      by docker-compose.yml);
#   4. the app itself (every role in MEDQ_ROLES), as this process, so tini's signals reach it.
set -eu
sounds="${ASTERISK_SOUNDS_DIR:-/prompts}"
if ! [ -w "$sounds" ] || { [ -e "$sounds/en/medq" ] && ! [ -w "$sounds/en/medq" ]; }; then
  echo "medq: the prompts folder $sounds (ASTERISK_SOUNDS_DIR) is not writable by uid $(id -u); the Asterisk image must leave /var/lib/medq/sounds owned by uid 1000 (docker/asterisk/Dockerfile)" >&2
  exit 73 # EX_CANTCREAT
fi
node dist/src/cli/db-migrate.js
node dist/src/cli/db-seed.js --if-demo-seed
node dist/src/cli/prompts.js --out "$sounds"
exec node dist/src/main.js
