#!/usr/bin/env bash
# Builds, or reuses, the Debian sid root folder in which a real Asterisk 22 runs with chroot for
# the tests, CI and `npm run stack` (Debian 12 has no asterisk package; see shared REAL-ASTERISK.md).
# Also installs the host tools the tests use. Run as root; safe to run again (a warm run only
# checks the stamp) and from two shells at once (one waits for the other on a lock file).
#
#   MEDQ_ASTERISK_ROOT   where the root lives (default /var/cache/medq/asterisk-root; keep it out
#                        of the repo and cache it between runs)
#   MEDQ_SKIP_HOST_PACKAGES=1   do not apt-get install anything on the host
#
# Options: --host-packages-only (install the host tools, leave the root alone)
#          --skip-host-packages (the root only)
set -euo pipefail

MODE=all
case "${1:-}" in
  --host-packages-only) MODE=host ;;
  --skip-host-packages) MODE=root ;;
  '') ;;
  *) echo "usage: $0 [--host-packages-only | --skip-host-packages]" >&2; exit 2 ;;
esac

ROOT=${MEDQ_ASTERISK_ROOT:-/var/cache/medq/asterisk-root}
ROOT=${ROOT%/}
LOCK="$ROOT.lock"   # beside the root, so it survives a rebuild; tests/support/asterisk.ts uses it too
STAMP="$ROOT/etc/medq-asterisk-root.stamp"
SUITE=sid
# Bump RECIPE when the way the root is made changes, so cached roots are redone.
RECIPE=1
ROOT_PACKAGES=(asterisk asterisk-core-sounds-en-gsm)
# docker-compose (v1, Debian's): tests/install/container.test.ts renders docker-compose.yml with it.
# fonts-lohit-deva: a Devanagari font, so Chromium draws the Hindi pages (tests/web/hindi.test.ts
# screenshots) instead of empty boxes.
HOST_PACKAGES=(debootstrap sip-tester espeak-ng sox chromium fonts-lohit-deva util-linux docker-compose)
APT_IN_ROOT=(apt-get -o Acquire::Check-Valid-Until=false -o APT::Install-Recommends=false -q)

log() { printf '[asterisk-root] %s\n' "$*"; }
die() { printf '[asterisk-root] ERROR: %s\n' "$*" >&2; exit 1; }
t0=$SECONDS

[ "$(id -u)" = 0 ] || die "run as root (debootstrap, chroot and mount need it)"

# ---------------------------------------------------------------------------------------------
# Host packages
# ---------------------------------------------------------------------------------------------
host_packages() {
  if [ "${MEDQ_SKIP_HOST_PACKAGES:-0}" = 1 ]; then log "host packages: skipped (MEDQ_SKIP_HOST_PACKAGES=1)"; return; fi
  local missing=() p
  for p in "${HOST_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
  done
  if [ ${#missing[@]} -eq 0 ]; then log "host packages: all present (${HOST_PACKAGES[*]})"; return; fi
  log "host packages: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  if ! apt-get install -y -q --no-install-recommends "${missing[@]}"; then
    log "host packages: install failed, running apt-get update and trying again"
    apt-get update -q
    apt-get install -y -q --no-install-recommends "${missing[@]}"
  fi
}

# ---------------------------------------------------------------------------------------------
# The root
# ---------------------------------------------------------------------------------------------
# What the stamp must start with; the installed versions follow it.
stamp_header() {
  printf 'recipe %s\nsuite %s\npackages %s\n' "$RECIPE" "$SUITE" "${ROOT_PACKAGES[*]}"
}

# "name version" for each wanted package as dpkg inside the root sees it (read from the host,
# which is fast: no chroot, no apt).
installed_versions() {
  local p v
  for p in "${ROOT_PACKAGES[@]}"; do
    v=$(dpkg-query --admindir="$ROOT/var/lib/dpkg" -W -f='${Status} ${Version}' "$p" 2>/dev/null || true)
    case "$v" in
      'install ok installed '*) printf '%s %s\n' "$p" "${v#install ok installed }" ;;
      *) printf '%s MISSING\n' "$p" ;;
    esac
  done
}

stamp_matches() {
  [ -f "$STAMP" ] || return 1
  [ -x "$ROOT/usr/sbin/asterisk" ] || return 1
  local want
  want="$(stamp_header; installed_versions)"
  [ "$want" = "$(cat "$STAMP")" ] && ! grep -q ' MISSING$' "$STAMP"
}

mounts_under() { awk -v r="$1" '$2 == r || index($2, r "/") == 1 { print $2 }' /proc/mounts; }

# Never delete a root that something is mounted in (rm -rf through a mounted /proc is a disaster).
safe_remove() {
  local dir=$1 m
  for m in $(mounts_under "$dir" | sort -r); do log "unmounting $m"; umount "$m" || umount -l "$m"; done
  [ -z "$(mounts_under "$dir")" ] || die "still mounted under $dir; not deleting it"
  rm -rf --one-file-system "$dir"
}

asterisk_running_in_root() {
  local pid
  for pid in $(pgrep -x asterisk || true); do
    [ "$(readlink "/proc/$pid/root" 2>/dev/null)" = "$ROOT" ] && return 0
  done
  return 1
}

bootstrap_root() {
  local new="$ROOT.new"
  [ -e "$new" ] && { log "removing a half-made $new"; safe_remove "$new"; }
  log "debootstrap --variant=minbase $SUITE $new (default mirror)"
  mkdir -p "$(dirname "$ROOT")"
  debootstrap --variant=minbase "$SUITE" "$new" > "$ROOT.debootstrap.log" 2>&1 \
    || { tail -n 30 "$ROOT.debootstrap.log" >&2; die "debootstrap failed (log: $ROOT.debootstrap.log)"; }
  if [ -e "$ROOT" ]; then
    asterisk_running_in_root && die "an Asterisk still runs in $ROOT; stop it before rebuilding"
    log "replacing the old root"
    safe_remove "$ROOT"
  fi
  mv "$new" "$ROOT"
}

install_in_root() {
  # Daemons must not start inside the root while packages install.
  printf '#!/bin/sh\nexit 101\n' > "$ROOT/usr/sbin/policy-rc.d"
  chmod +x "$ROOT/usr/sbin/policy-rc.d"
  cp -L /etc/resolv.conf "$ROOT/etc/resolv.conf" 2>/dev/null || true
  log "apt-get update + install ${ROOT_PACKAGES[*]} inside the root (Check-Valid-Until=false: the registry is a frozen snapshot)"
  chroot "$ROOT" env DEBIAN_FRONTEND=noninteractive LC_ALL=C "${APT_IN_ROOT[@]}" update
  chroot "$ROOT" env DEBIAN_FRONTEND=noninteractive LC_ALL=C "${APT_IN_ROOT[@]}" install -y "${ROOT_PACKAGES[@]}"
  chroot "$ROOT" apt-get clean
}

# Turn an absolute symbolic link inside the root into a relative one, so that it resolves to the
# same file from the host ($ROOT/...) and from inside the chroot.
relink() {
  local link=$1   # path inside the root, e.g. /var/run
  local host="$ROOT$link" target rel
  [ -L "$host" ] || return 0
  target=$(readlink "$host")
  case "$target" in /*) ;; *) return 0 ;; esac
  rel=$(realpath -s -m --relative-to="$(dirname "$link")" "$target")
  ln -sfn "$rel" "$host"
  log "relinked $link -> $rel (was $target)"
}

fix_up_root() {
  # /var/run and /var/lock point at the host's /run: give the root its own.
  relink /var/run
  relink /var/lock
  # The English prompts: sounds/en -> /etc/alternatives/asterisk-prompt-en -> .../en-gsm.
  relink /usr/share/asterisk/sounds/en
  relink /etc/alternatives/asterisk-prompt-en
  local l
  for l in "$ROOT"/usr/share/asterisk/sounds/*; do relink "${l#"$ROOT"}"; done
  [ -d "$ROOT/usr/share/asterisk/sounds/en/." ] || die "sounds/en does not resolve to a folder from the host"
  mkdir -p "$ROOT/run/asterisk" "$ROOT/usr/share/asterisk/sounds/en/medq" "$ROOT/var/lib/medq-harness"
  chroot "$ROOT" chown asterisk:asterisk /run/asterisk
  # The package's own /etc/asterisk is a full sample set; the harness and the stack never use it
  # (they pass their own config folder with asterisk -C).
}

check_version() {
  local v
  v=$(dpkg-query --admindir="$ROOT/var/lib/dpkg" -W -f='${Version}' asterisk)
  case "$v" in
    *:22.*|22.*) log "asterisk $v" ;;
    *) die "expected Asterisk 22 in the root, found $v" ;;
  esac
}

main() {
  [ "$MODE" = root ] || host_packages
  if [ "$MODE" = host ]; then log "done in $((SECONDS - t0)) s"; return; fi
  mkdir -p "$(dirname "$ROOT")"
  exec 9> "$LOCK"
  if ! flock -n 9; then log "waiting for the lock $LOCK (another run is busy)"; flock 9; fi

  if stamp_matches; then
    log "root $ROOT is up to date (stamp matches):"
    sed 's/^/[asterisk-root]   /' "$STAMP"
  else
    if [ -x "$ROOT/usr/bin/apt-get" ] && [ -x "$ROOT/usr/bin/dpkg" ] && [ -f "$STAMP" ] && [ "$(head -n 2 "$STAMP")" = "$(stamp_header | head -n 2)" ]; then
      log "root $ROOT exists but its packages differ from the stamp: installing into it"
    elif [ -x "$ROOT/usr/bin/apt-get" ] && [ -x "$ROOT/usr/bin/dpkg" ] && [ ! -f "$STAMP" ] && [ -f "$ROOT/etc/debian_version" ]; then
      log "root $ROOT exists without a stamp: installing into it"
    else
      [ -e "$ROOT" ] && log "root $ROOT is from another recipe or broken: rebuilding"
      bootstrap_root
    fi
    install_in_root
    rm -f "$STAMP"
    fix_up_root
    check_version
    { stamp_header; installed_versions; } > "$STAMP.tmp"
    mv "$STAMP.tmp" "$STAMP"
    log "wrote stamp $STAMP:"
    sed 's/^/[asterisk-root]   /' "$STAMP"
  fi
  fix_up_root   # cheap and idempotent; repairs links a package upgrade may have reset
  check_version
  log "done in $((SECONDS - t0)) s"
}

main "$@"
