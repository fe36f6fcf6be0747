#!/usr/bin/env bash
# Installs everything Anxin needs on a fresh Debian 12 machine (run as root):
# the Debian packages (Chromium, Chinese fonts, espeak-ng, Mesa for Kivy, D-Bus, nginx for `anxin cluster`)
# and a Python virtual environment in .venv with the project and its test tools.
# Safe to run again: it only installs what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

APT_PACKAGES=(
  chromium fonts-wqy-microhei espeak-ng alsa-utils sox
  libmtdev1 libgl1 libegl1 libgl1-mesa-dri libgles2
  dbus-daemon sqlite3 nginx
)
missing=()
for pkg in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if ! python3 -c "import venv, ensurepip" 2>/dev/null; then
  missing+=(python3-venv)
fi
if [ "${#missing[@]}" -gt 0 ]; then
  echo "bootstrap: installing Debian packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

PYTHON="${PYTHON:-python3}"
if [ ! -x .venv/bin/python ]; then
  echo "bootstrap: creating .venv with $($PYTHON --version)"
  "$PYTHON" -m venv .venv
fi
stamp=.venv/.anxin-installed
if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
  echo "bootstrap: installing Python packages into .venv"
  .venv/bin/python -m pip install -q --upgrade pip
  .venv/bin/python -m pip install -q -e ".[all,test]"
  touch "$stamp"
fi
echo "bootstrap: ready (.venv/bin/anxin)"
