#!/usr/bin/env bash
# Tests the running server against its own OpenAPI document with schemathesis: a real
# `onemap serve` on a throwaway small city (the demo city's generator at 400 grids), once
# without a token and once with an admin token (so the write routes run too). Fails on any
# 5xx, any status the document does not list for the operation, and any body, content type or
# header that does not match it.
#
#   scripts/schemathesis.sh              # what `make schemathesis` runs
#   SCHEMATHESIS_EXAMPLES=100 SCHEMATHESIS_SEED=7 scripts/schemathesis.sh   # dig deeper
#
# Rate limits are off for the run (schemathesis sends hundreds of requests a second), so a
# 429 here would be a bug.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
version=4.32.5
venv=$root/target/schemathesis-venv
bin=${ONEMAP_BIN:-$root/target/release/onemap}
examples=${SCHEMATHESIS_EXAMPLES:-25}
# A fixed seed keeps `make test` repeatable; change it to explore.
seed=${SCHEMATHESIS_SEED:-20261206}

if [[ ! -x $bin ]]; then
    echo "schemathesis.sh: $bin is missing: run make build" >&2
    exit 1
fi
if [[ $("$venv/bin/schemathesis" --version 2>/dev/null) != *" $version" ]]; then
    echo "schemathesis.sh: installing schemathesis $version into $venv"
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet --disable-pip-version-check "schemathesis==$version"
fi
python=$venv/bin/python

work=$(mktemp -d)
server=
cleanup() {
    if [[ -n $server ]]; then
        kill "$server" 2>/dev/null || true
        wait "$server" 2>/dev/null || true
    fi
    rm -rf "$work"
}
trap cleanup EXIT

port=$("$python" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
base=http://127.0.0.1:$port
admin=$("$python" -c 'import secrets; print(secrets.token_hex(16))')
cat >"$work/onemap.toml" <<'EOF'
[limits]
public_requests_per_s = 0
token_requests_per_s = 0
EOF

# The full demo city makes every whole-layer export and matrix a few MB that schemathesis
# validates in Python: 4x the run time for the same code paths. A small city from the same
# generator has every kind of feature, nesting, straddling grid and person.
"$bin" demo-city --store "$work/city.gpkg" --grids 400 >/dev/null

# The server also exits when this script's end of its standard input closes, so not even a
# SIGKILL of the script leaves it behind.
mkfifo "$work/stdin"
ONEMAP_EXIT_WITH_STDIN=1 "$bin" serve --listen "127.0.0.1:$port" --store "$work/city.gpkg" \
    --config "$work/onemap.toml" --tokens "schemathesis:admin:$admin" \
    <"$work/stdin" >"$work/server.log" 2>&1 &
server=$!
exec 3>"$work/stdin"

started=$SECONDS
until curl -fsS -o /dev/null "$base/health" 2>/dev/null; do
    if ! kill -0 "$server" 2>/dev/null || ((SECONDS - started > 180)); then
        echo "schemathesis.sh: the server did not come up; its log:" >&2
        cat "$work/server.log" >&2
        exit 1
    fi
    sleep 0.5
done
echo "schemathesis.sh: the city is served at $base after $((SECONDS - started)) s"

# Generated ids almost never exist, so without help every by-id route would only ever answer
# 404. These dictionaries hand schemathesis real ids and a point inside the city, taken from
# the server itself, for half of its cases.
"$python" - "$base" >"$work/schemathesis.toml" <<'EOF'
import json, sys, urllib.error, urllib.request

base = sys.argv[1]
def get(path):
    with urllib.request.urlopen(base + path, timeout=30) as r:
        return json.load(r)

w, s, e, n = get("/tiles.json")["bounds"]
for k in range(1, 10):
    lng, lat = w + (e - w) * k / 10, s + (n - s) * k / 10
    try:
        answer = get(f"/v1/locate?lng={lng}&lat={lat}&cameras=5&radius=2000")
        break
    except urllib.error.HTTPError:
        continue
else:
    sys.exit("no point on the city's diagonal lies in a grid")

areas = [answer["grid"], *answer["ancestors"], answer["beat"], answer["station"]]
areas = [a for a in areas if a]
people = sorted({p["id"] for a in areas for p in a.get("people", [])})
values = {
    "grids": [answer["grid"]["id"], *(a["id"] for a in answer["ancestors"])],
    "beats": [answer["beat"]["id"]] if answer["beat"] else [],
    "features": [a["id"] for a in areas] + [c["id"] for c in answer["cameras"]],
    "people": people,
    "lng": [lng], "lat": [lat],
}
print("# Written by scripts/schemathesis.sh from the running city.")
for name, vs in values.items():
    if vs:
        print(f"[dictionaries.{name}]\nvalues = {json.dumps(vs, ensure_ascii=False)}\n")
bindings = [
    ("GET /v1/grids/{id}/overlaps", {"path.id": "grids"}),
    ("GET /v1/beats/{id}/grids", {"path.id": "beats"}),
    ("GET /v1/people/{id}", {"path.id": "people"}),
    ("GET /v1/layers/{layer}/features/{id}", {"path.id": "features"}),
    ("PUT /v1/layers/{layer}/features/{id}", {"path.id": "features"}),
    ("DELETE /v1/layers/{layer}/features/{id}", {"path.id": "features"}),
    ("GET /v1/locate", {"query.lng": "lng", "query.lat": "lat"}),
]
for name, params in bindings:
    if all(values[d] for d in params.values()):
        inline = ", ".join(f'"{p}" = {{ dictionary = "{d}", probability = 0.5 }}' for p, d in params.items())
        print(f'[[operations]]\ninclude-name = "{name}"\nparameters = {{ {inline} }}\n')
EOF

# Hypothesis's health checks (too slow, too much filtered) judge the machine, not the server:
# on a busy 2-core machine they would fail at random. `timeout` bounds a hung run.
run() {
    local who=$1
    shift
    echo
    echo "schemathesis.sh: run as $who"
    (cd "$work" && timeout 300 "$venv/bin/schemathesis" --config-file "$work/schemathesis.toml" run \
        "$base/openapi.json" \
        --checks not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance,response_headers_conformance \
        --max-examples "$examples" --seed "$seed" --request-timeout 30 \
        --generation-database none --suppress-health-check all "$@")
}

failed=0
run public || failed=1
run admin -H "Authorization: Bearer $admin" || failed=1
if ! kill -0 "$server" 2>/dev/null; then
    echo "schemathesis.sh: the server died during the run" >&2
    failed=1
fi
if ((failed)); then
    echo "schemathesis.sh: FAILED; the server log ends:" >&2
    tail -n 40 "$work/server.log" >&2
    exit 1
fi
echo "schemathesis.sh: both runs clean in $((SECONDS - started)) s"
