# Shared by scripts/run and scripts/test: finds a Python 3.12+ and prepares .venv.
# shellcheck shell=bash

python_ok() {
  "$1" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else 1)' >/dev/null 2>&1
}

find_python() {
  local candidate dir
  for candidate in "${PYTHON:-}" python3.14 python3.13 python3.12 python3 python; do
    [ -n "$candidate" ] || continue
    if command -v "$candidate" >/dev/null 2>&1 && python_ok "$candidate"; then
      command -v "$candidate"
      return 0
    fi
  done
  # pyenv installs interpreters without putting them on PATH unless selected.
  if command -v pyenv >/dev/null 2>&1; then
    for dir in $(ls -d "$(pyenv root)"/versions/3.* 2>/dev/null | sort -rV); do
      if [ -x "$dir/bin/python" ] && python_ok "$dir/bin/python"; then
        echo "$dir/bin/python"
        return 0
      fi
    done
  fi
  return 1
}

# ensure_venv EXTRAS: create .venv with a 3.12+ interpreter and install the project with the
# given extras, skipping the install when pyproject.toml has not changed since the last one.
ensure_venv() {
  local extras="$1" python stamp wanted
  if [ -x .venv/bin/python ] && ! python_ok .venv/bin/python; then
    rm -rf .venv
  fi
  if [ ! -x .venv/bin/python ]; then
    python=$(find_python) || {
      echo "Python 3.12 or newer is needed (set PYTHON=/path/to/python3.12)." >&2
      exit 1
    }
    echo "Creating .venv with $("$python" --version)"
    "$python" -m venv .venv
  fi
  stamp=.venv/.installed
  wanted="$(cat pyproject.toml | sha256sum | cut -c1-16)-$extras"
  if [ "$(cat "$stamp" 2>/dev/null)" != "$wanted" ]; then
    .venv/bin/python -m pip install --quiet --upgrade pip
    .venv/bin/python -m pip install --quiet -e ".[$extras]"
    echo "$wanted" >"$stamp"
  fi
}
