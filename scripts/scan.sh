#!/usr/bin/env bash
# `make scan`: Debian's wapiti (a black-box web scanner) against the app under gunicorn on a
# fresh demo database, signed in as the demo HR user, for at most SCAN_SECONDS. Writes the
# report to instance/scan-<time>/wapiti.json and prints a summary.
set -euo pipefail
cd "$(dirname "$0")/.."
PORT=${SCAN_PORT:-5099}
SECONDS_MAX=${SCAN_SECONDS:-600}
ATTACK_MAX=${SCAN_ATTACK_SECONDS:-120}
PY=.venv/bin/python

if ! command -v wapiti >/dev/null 2>&1; then
  echo "wapiti is not installed: installing Debian's package with apt-get."
  if [ "$(id -u)" -eq 0 ]; then SUDO=""; else SUDO="sudo"; fi
  $SUDO apt-get update -qq
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends wapiti
fi
echo "$(wapiti --version 2>/dev/null | head -n 1)"

OUT="$PWD/instance/scan-$(date +%Y%m%d-%H%M%S)"
mkdir -p "$OUT"
export PANEL_INSTANCE_PATH="$OUT/instance" PANEL_COOKIE_SECURE=false PANEL_LOG_LEVEL=WARNING
export PANEL_SERVER_NAME="127.0.0.1:$PORT" PANEL_PREFERRED_URL_SCHEME=http
.venv/bin/flask --app panel db-upgrade >/dev/null
.venv/bin/flask --app panel demo-data >"$OUT/demo-logins.txt"
HR_PASSWORD=$(awk '/priya.shah@example.org/ {print $NF}' "$OUT/demo-logins.txt")

.venv/bin/gunicorn --workers 2 --bind "127.0.0.1:$PORT" --access-logfile /dev/null \
  --error-logfile "$OUT/gunicorn.log" 'panel:create_app()' 2>>"$OUT/gunicorn.log" &
GUNICORN_PID=$!
trap 'kill "$GUNICORN_PID" 2>/dev/null || true; wait "$GUNICORN_PID" 2>/dev/null || true' EXIT
for _ in $(seq 1 50); do
  if $PY -c "import urllib.request,sys; urllib.request.urlopen('http://127.0.0.1:$PORT/healthz', timeout=1)" 2>/dev/null; then break; fi
  sleep 0.2
done

# sign in as HR (the login form has a CSRF token) and hand wapiti the session cookie
COOKIE=$($PY - "$PORT" "$HR_PASSWORD" <<'PY'
import re, sys, requests
port, password = sys.argv[1], sys.argv[2]
s = requests.Session()
page = s.get(f"http://127.0.0.1:{port}/login", timeout=10).text
token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
r = s.post(f"http://127.0.0.1:{port}/login", data={"csrf_token": token, "email": "priya.shah@example.org",
                                                    "password": password}, allow_redirects=False, timeout=30)
assert r.status_code == 302, f"sign-in failed: {r.status_code}"
print(s.cookies["panel_session"])
PY
)

BASE="http://127.0.0.1:$PORT/"
# No -x exclusions: wapiti 3.0.4's exclusion patterns crash on Python 3.11 (re "global flags").
# The sign-out form carries only its CSRF token, so attacks on it are refused (400) and the
# session survives; the database is a throwaway demo copy.
echo "Scanning $BASE as the demo HR user for at most $SECONDS_MAX s (report in $OUT) ..."
set +e
# The default modules except blindsql (time-based SQL injection), which in wapiti 3.0.4 can
# run far past --max-attack-time; the sql module still tries error-based injection. A hard
# limit as well: on Ctrl-C wapiti asks what to do, and the "r" on its input means "stop and
# write the report".
HARD=$((SECONDS_MAX + 12 * ATTACK_MAX + 300))
printf 'r\n' | timeout -k 30 -s INT "$HARD" wapiti -u "$BASE" --scope folder -m "common,-blindsql" -H "Cookie: panel_session=$COOKIE" \
  --max-scan-time "$SECONDS_MAX" --max-attack-time "$ATTACK_MAX" --flush-session \
  --store-session "$OUT/session" --store-config "$OUT/config" \
  -f json -o "$OUT/wapiti.json" --no-bugreport -v 0 >"$OUT/wapiti.log" 2>&1
status=$?
set -e
[ $status -eq 0 ] || { echo "wapiti ended with status $status; its log is $OUT/wapiti.log"; tail -n 20 "$OUT/wapiti.log"; }

if [ ! -s "$OUT/wapiti.json" ]; then
  echo "wapiti wrote no report (it was stopped after $HARD s or failed): nothing to summarise. See $OUT/wapiti.log" >&2
  exit 1
fi
$PY - "$OUT/wapiti.json" "$OUT/session" <<'PY'
import glob, json, sqlite3, sys
report = json.load(open(sys.argv[1]))
info = report.get("infos", {})
crawled = "?"
for path in glob.glob(f"{sys.argv[2]}/*.db"):
    with sqlite3.connect(path) as conn:
        crawled = "%d requests (%d distinct paths)" % conn.execute("SELECT COUNT(*), COUNT(DISTINCT path) FROM paths").fetchone()
print(f"\n{info.get('version', 'wapiti')} on {info.get('target', '')}: crawled {crawled}")
for section in ("vulnerabilities", "anomalies", "additionals"):
    found = {name: items for name, items in report.get(section, {}).items() if items}
    print(f"{section}: {sum(len(v) for v in found.values())}")
    for name, items in sorted(found.items()):
        print(f"  {name}: {len(items)}")
        for item in items[:5]:
            print(f"    - {item.get('method', '')} {item.get('path', '')} {item.get('parameter', '')}: "
                  f"{(item.get('info') or '')[:160]}")
PY
if grep -q "unexpected error" "$OUT/gunicorn.log"; then
  echo "The app logged unexpected errors (5xx) during the scan: see $OUT/gunicorn.log"
else
  echo "The app logged no unexpected error (5xx) during the scan."
fi
echo "Full report: $OUT/wapiti.json"
