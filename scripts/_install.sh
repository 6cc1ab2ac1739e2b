# Sourced by scripts/start and scripts/test: makes .venv and installs the pinned
# lock file given as $1 (skipped when that exact lock file is already installed).
set -euo pipefail

python="${PYTHON:-python3}"
if ! "$python" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
  echo "Connexion needs Python 3.11 or newer: set PYTHON=/path/to/python3.11" >&2
  exit 1
fi
lock="$1"
[ -x .venv/bin/python ] || "$python" -m venv .venv
stamp=".venv/.installed-$(basename "$lock")-$(sha256sum "$lock" pyproject.toml | sha256sum | cut -c1-16)"
# pip warns about index locations some machines configure but lack; not our concern.
quiet_pip() {
  .venv/bin/python -m pip install --quiet "$@" 2> >(grep -v "^WARNING: Location .* is ignored" >&2)
}
if [ ! -f "$stamp" ]; then
  quiet_pip --upgrade pip
  quiet_pip -r "$lock"
  quiet_pip --no-deps --editable .
  rm -f .venv/.installed-*
  touch "$stamp"
fi
