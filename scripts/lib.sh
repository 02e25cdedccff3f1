# Shared helpers for scripts/run, scripts/test and friends. Source it; don't run it.
# Everything here is idempotent: a second run skips what is already in place.

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export CARGO_TERM_COLOR="${CARGO_TERM_COLOR:-never}"
export PATH="$HOME/.cargo/bin:$PATH"

# System packages the app, its build and its tests need (Debian 12 / Ubuntu 22.04+ names).
SYSTEM_PACKAGES=(
  # Tauri 2 on Linux
  libwebkit2gtk-4.1-dev libsoup-3.0-dev librsvg2-dev libayatana-appindicator3-dev
  build-essential pkg-config libssl-dev file libxdo-dev curl
  # Headless runs, end-to-end tests, screenshots
  xvfb xauth webkit2gtk-driver dbus-x11 imagemagick
  # Japanese fonts the UI asks for (BIZ UD Gothic first), PDF tools
  fonts-morisawa-bizud-gothic fonts-noto-cjk poppler-utils
  # OS credential stores (Secret Service via gnome-keyring, kernel keyutils) for keyring
  gnome-keyring libsecret-tools libdbus-1-dev keyutils
  # The central service's production database, for its test suite
  postgresql
  # OCR (crates/ocr): Tesseract 5 with the Japanese model, its library and headers (linked
  # through bindgen, which needs libclang), and the sample forms' typefaces (IPAex Mincho,
  # Klee One for handwriting)
  tesseract-ocr tesseract-ocr-jpn libtesseract-dev libleptonica-dev libclang-dev
  fonts-ipaexfont-mincho fonts-klee
)

step() { printf '\n==> %s\n' "$*"; }
die() { printf 'エラー: %s\n' "$*" >&2; exit 1; }

as_root() {
  if [[ $(id -u) -eq 0 ]]; then "$@"
  elif command -v sudo >/dev/null; then sudo "$@"
  else die "root 権限が必要です（$*）。root で実行するか sudo を用意してください。"; fi
}

ensure_system_packages() {
  local missing=()
  for p in "${SYSTEM_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
  done
  if ((${#missing[@]})); then
    echo "installing: ${missing[*]}"
    as_root apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  else
    echo "all ${#SYSTEM_PACKAGES[@]} system packages present"
  fi
  command -v cargo >/dev/null || die "Rust (cargo) が見つかりません。rustup で安定版を入れてください。"
  command -v npm >/dev/null || die "Node.js 20 以降と npm が見つかりません。"
}

ensure_tauri_driver() {
  if command -v tauri-driver >/dev/null; then
    echo "tauri-driver present"
  else
    cargo install tauri-driver --locked --version '^2'
  fi
}

ensure_ui_deps() {
  # npm ci is exact to package-lock.json; skip it when node_modules already matches.
  local stamp="$ROOT/ui/node_modules/.kyosai-lock"
  if [[ -f $stamp ]] && cmp -s "$stamp" "$ROOT/ui/package-lock.json"; then
    echo "ui/node_modules up to date"
  else
    (cd "$ROOT/ui" && npm ci --no-audit --no-fund)
    cp "$ROOT/ui/package-lock.json" "$stamp"
  fi
}

# The self-contained debug binary (custom protocol, UI embedded) that E2E drives.
build_app_debug() {
  (cd "$ROOT/ui" && npm run build)
  # The UI was just built; skip the beforeBuildCommand that would build it again.
  (cd "$ROOT" && "$ROOT/ui/node_modules/.bin/tauri" build --debug --no-bundle --ci \
    --config '{"build":{"beforeBuildCommand":""}}')
  echo "built $ROOT/target/debug/kyosai-desk"
}

# Starts the system PostgreSQL (idempotent) and exports the URL the central service's
# tests on PostgreSQL connect to.
ensure_test_postgres() {
  as_root bash "$ROOT/crates/central/scripts/start-test-postgres.sh"
  local port
  port=$(pg_lsclusters -h | awk '$2 == "main" && $4 == "online" {print $3; exit}')
  export KYOSAI_TEST_PG_URL="postgres://kyosai:kyosai@127.0.0.1:${port:-5432}/postgres"
  echo "KYOSAI_TEST_PG_URL=$KYOSAI_TEST_PG_URL"
}

# Runs "$@" in a private session bus with an unlocked gnome-keyring (the Secret Service
# the app's keyring uses on Linux) and a fresh kernel keyring session (keyutils).
# Keyrings live in a throwaway XDG_DATA_HOME, never in the user's own.
with_test_keyring() {
  local tmp
  tmp=$(mktemp -d)
  with_keyring_in "$tmp" "$@"
  local rc=$?
  rm -rf "$tmp"
  return $rc
}

# Like with_test_keyring, with the keyring files kept in DIR (e.g. the demo's folder), so
# the app's database key survives from one run to the next. Usage: with_keyring_in DIR CMD...
with_keyring_in() {
  local dir=$1 run
  shift
  run=$(mktemp -d)
  mkdir -p "$dir/data"
  XDG_DATA_HOME="$dir/data" XDG_RUNTIME_DIR="$run" KYOSAI_KEYRING_PASSWORD=kyosai-test \
    dbus-run-session -- bash -c 'printf %s "$KYOSAI_KEYRING_PASSWORD" | gnome-keyring-daemon --unlock --components=secrets >/dev/null
      exec keyctl session - "$@"' kyosai-test-keyring "$@"
  local rc=$?
  # The app's document portal may still have its FUSE folder mounted there.
  fusermount -uz "$run/doc" 2>/dev/null || true
  rm -rf "$run"
  return $rc
}

# Runs "$@" with a private session bus and a throwaway unlocked keyring (the app keeps
# its database key there), and a virtual display when there is none.
with_display_and_bus() {
  if [[ -n ${DISPLAY:-} ]]; then
    with_test_keyring "$@"
  else
    with_test_keyring xvfb-run -a -s "-screen 0 1280x800x24 -nolisten tcp" "$@"
  fi
}

# Installs the cargo subcommand CRATE (e.g. cargo-deny) from crates.io when it is missing
# or not of the minor version MINOR (e.g. 0.20: its configuration format), and says how
# long the build took.
ensure_cargo_tool() {
  local crate=$1 minor=$2 have t0
  have=$(cargo "${crate#cargo-}" --version 2>/dev/null | awk '{print $2}') || true
  if [[ $have == "$minor".* ]]; then
    echo "$crate $have present"
    return
  fi
  t0=$(date +%s)
  cargo install "$crate" --locked --version "~$minor"
  echo "installed $crate in $(($(date +%s) - t0))s"
}
