#!/usr/bin/env bash
# Installs this built checkout as a systemd service (README "Install on a Debian box"):
#   /opt/orchestrator                    the daemon bundle, the web interface, runtime node_modules
#   /etc/systemd/system/orchestrator.service
#   /etc/sysusers.d/orchestrator.conf    the `orchestrator` system user, created here by systemd-sysusers
#   /etc/orchestrator.conf.json          from deploy/orchestrator.conf.<backend>.json, 0640 root:orchestrator
#   /etc/orchestrator/orchestrator.env   from deploy/orchestrator.env.example, 0600 root
# An existing config or environment file is kept. Usage: scripts/install.sh [sqlite|mysql]
# DESTDIR=/some/dir installs into that directory as if it were / (the deploy test does this).
set -euo pipefail
cd "$(dirname "$0")/.."

backend="${1:-sqlite}"
case "$backend" in
  sqlite | mysql) ;;
  *)
    echo "install: unknown backend '$backend' (expected sqlite or mysql)" >&2
    exit 2
    ;;
esac
root="${DESTDIR:-}"
root="${root%/}"
if [ ! -f apps/orchestrator/dist/orchestrator.mjs ] || [ ! -f apps/orchestrator/dist/orchestrator.cjs ] || [ ! -f apps/web/dist/index.html ]; then
  echo "install: no build here; run ./scripts/setup.sh (or npm ci && npm run build) first" >&2
  exit 1
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "install: run as root (files are owned by root and the orchestrator group)" >&2
  exit 1
fi

# The application: the launcher and the bundle it runs (workspace packages are inside it), its package.json (the version),
# the web interface, and the packages the bundle leaves to node_modules: npm's list of the
# daemon's production dependencies, each top-level package copied whole (nested ones come along).
app="$root/opt/orchestrator"
rm -rf "$app"
install -d -m 0755 "$app/apps/orchestrator/dist" "$app/apps/web" "$app/node_modules"
install -m 0644 apps/orchestrator/dist/orchestrator.mjs apps/orchestrator/dist/orchestrator.cjs "$app/apps/orchestrator/dist/"
install -m 0644 apps/orchestrator/package.json "$app/apps/orchestrator/"
install -m 0644 README.md "$app/"
cp -R apps/web/dist "$app/apps/web/dist"
modules="$PWD/node_modules/"
npm ls --omit=dev --all --parseable -w @orchestrator/orchestrator | while read -r dir; do
  case "$dir" in
    "$modules"*) ;;
    *) continue ;; # the repository root
  esac
  name="${dir#"$modules"}"
  [[ "$name" =~ ^(@[^/]+/)?[^/]+$ ]] || continue # nested: inside its parent, copied whole
  [ -L "$dir" ] && continue                      # a workspace package: bundled
  install -d -m 0755 "$(dirname "$app/node_modules/$name")"
  cp -R "$dir" "$app/node_modules/$name"
done
chmod -R u=rwX,go=rX "$app"

# The user (systemd-sysusers reads the file just installed; with DESTDIR, that root's /etc/passwd).
install -D -m 0644 deploy/orchestrator.sysusers.conf "$root/etc/sysusers.d/orchestrator.conf"
systemd-sysusers ${root:+--root="$root"} "$root/etc/sysusers.d/orchestrator.conf"
gid="$(awk -F: '$1 == "orchestrator" { print $3 }' "$root/etc/group")"
[ -n "$gid" ] || {
  echo "install: systemd-sysusers created no orchestrator group in $root/etc/group" >&2
  exit 1
}

install -D -m 0644 deploy/orchestrator.service "$root/etc/systemd/system/orchestrator.service"
if [ ! -e "$root/etc/orchestrator.conf.json" ]; then
  install -D -m 0640 -o 0 -g "$gid" "deploy/orchestrator.conf.$backend.json" "$root/etc/orchestrator.conf.json"
fi
install -d -m 0755 "$root/etc/orchestrator"
if [ ! -e "$root/etc/orchestrator/orchestrator.env" ]; then
  install -m 0600 -o 0 -g 0 deploy/orchestrator.env.example "$root/etc/orchestrator/orchestrator.env"
fi

echo "installed under ${root:-/}. Next: edit /etc/orchestrator.conf.json and /etc/orchestrator/orchestrator.env,"
echo "then: systemctl daemon-reload && systemctl enable --now orchestrator"
