#!/usr/bin/env bash
# Installs and starts what `make test` needs on a fresh Debian machine: PostGIS, Chromium,
# CJK fonts, GDAL, Python's venv, and a PostgreSQL role `onemap` the tests log in as. Safe to run again.
set -euo pipefail

need_root() {
    if [ "$(id -u)" != 0 ]; then
        echo "setup: installing $* needs root; run as root or install them yourself" >&2
        exit 1
    fi
}

missing=()
dpkg -s postgresql-15-postgis-3 >/dev/null 2>&1 || missing+=(postgresql-15 postgresql-15-postgis-3)
[ -x /usr/bin/chromium ] || missing+=(chromium)
dpkg -s fonts-noto-cjk >/dev/null 2>&1 || missing+=(fonts-noto-cjk)
# GDAL: the outside client the GeoPackage tests check our files against.
command -v ogrinfo >/dev/null || missing+=(gdal-bin)
# Python with venv: schemathesis runs from a venv under target/.
python3 -c 'import ensurepip, venv' >/dev/null 2>&1 || missing+=(python3 python3-venv)
if [ ${#missing[@]} -gt 0 ]; then
    need_root "${missing[@]}"
    echo "setup: installing ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq || { echo "setup: apt-get update failed: is the Debian mirror reachable?" >&2; exit 1; }
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# Start the cluster if it is not running.
if command -v pg_lsclusters >/dev/null; then
    if ! pg_lsclusters -h | awk '$1=="15" && $2=="main"' | grep -q online; then
        if ! pg_lsclusters -h | awk '$1=="15" && $2=="main"' | grep -q .; then
            pg_createcluster 15 main >/dev/null
        fi
        pg_ctlcluster --skip-systemctl-redirect 15 main start
    fi
fi

# A role the tests use over TCP, whatever pg_hba says for other users.
for _ in $(seq 1 30); do
    runuser -u postgres -- psql -qAtc "select 1" >/dev/null 2>&1 && break
    sleep 1
done
runuser -u postgres -- psql -qAt <<'SQL' >/dev/null
DO $$ BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'onemap') THEN
    CREATE ROLE onemap LOGIN SUPERUSER PASSWORD 'onemap';
  END IF;
END $$;
SQL
psql "postgres://onemap:onemap@127.0.0.1:5432/postgres" -qAtc "select 1" >/dev/null || {
    echo "setup: cannot log in to PostgreSQL on 127.0.0.1:5432 as onemap; check pg_hba.conf allows md5/scram or trust for 127.0.0.1" >&2
    exit 1
}
echo "setup: PostGIS, Chromium, fonts and GDAL ready"
