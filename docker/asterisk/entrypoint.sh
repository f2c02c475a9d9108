#!/bin/sh
# Starts Asterisk with the clinic's asterisk-config (mounted read-only at /etc/medq-asterisk),
# putting ARI_PASSWORD (from .env, the same the app uses) in place of the sample password.
set -eu
if [ -z "${ARI_PASSWORD:-}" ] || [ "$ARI_PASSWORD" = medq-change-me ]; then
  echo "asterisk: ARI_PASSWORD must be set in .env to a password of your own" >&2
  exit 78
fi
cp /etc/medq-asterisk/*.conf /etc/asterisk/
escaped=$(printf '%s' "$ARI_PASSWORD" | sed 's/[&|\\]/\\&/g')
sed -i "s|^password = medq-change-me\$|password = $escaped|" /etc/asterisk/ari.conf
exec asterisk -f -U asterisk -G asterisk
