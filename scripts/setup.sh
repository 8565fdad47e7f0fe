#!/usr/bin/env bash
# Prepares a fresh machine (Debian, root) for this project: the MariaDB server binaries the tests
# start on their own ports (and ZooKeeper and etcd for the KV tests, systemd's tools for the deploy
# test), then the npm workspaces (npm ci) and a build of every package.
set -euo pipefail
cd "$(dirname "$0")/.."

need_apt=()
command -v mariadbd >/dev/null 2>&1 || [ -x /usr/sbin/mariadbd ] || need_apt+=(mariadb-server)
command -v mariadb-install-db >/dev/null 2>&1 || need_apt+=(mariadb-server)
command -v haproxy >/dev/null 2>&1 || need_apt+=(haproxy)
command -v sqlite3 >/dev/null 2>&1 || need_apt+=(sqlite3)
command -v ip >/dev/null 2>&1 || need_apt+=(iproute2)
command -v wrk >/dev/null 2>&1 || need_apt+=(wrk)
command -v chromium >/dev/null 2>&1 || need_apt+=(chromium)
# The deploy test: systemd-analyze verify/security and systemd-sysusers (no running systemd needed).
command -v systemd-analyze >/dev/null 2>&1 || need_apt+=(systemd)
# Real KV stores for packages/kv and the KV e2e test (ZooKeeper pulls a Java runtime, default-jre).
[ -f /usr/share/java/zookeeper.jar ] || need_apt+=(zookeeper)
command -v etcd >/dev/null 2>&1 || need_apt+=(etcd-server)
if [ ${#need_apt[@]} -gt 0 ]; then
  echo "setup: installing ${need_apt[*]} with apt-get"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${need_apt[@]}" >/dev/null
fi

if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund
fi
npx turbo run build --output-logs=errors-only
