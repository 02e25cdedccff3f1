#!/usr/bin/env bash
# Inside a display and a session bus: start the app, wait for its first screen, take a
# screenshot of the whole display, stop the app. Usage: screenshot-app.sh APP OUT.png
set -euo pipefail
app=$1 shot=$2
log=$(mktemp)
KYOSAI_REPORT_READY=1 "$app" >"$log" 2>&1 &
pid=$!
trap 'kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; rm -f "$log"' EXIT
for _ in $(seq 1 600); do
  grep -q '^KYOSAI_READY' "$log" && break
  kill -0 "$pid" 2>/dev/null || { cat "$log" >&2; echo "共済デスクが起動直後に終了しました。" >&2; exit 1; }
  sleep 0.1
done
grep -q '^KYOSAI_READY' "$log" || { cat "$log" >&2; echo "60秒以内に画面が表示されませんでした。" >&2; exit 1; }
sleep 1 # let fonts and the first paint settle
import -window root "$shot"
echo "起動から最初の画面まで: $(grep '^KYOSAI_READY' "$log" | awk '{print $2}') ms"
