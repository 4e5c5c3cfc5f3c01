#!/usr/bin/env bash
# Installs everything infnat needs on a fresh Debian/Ubuntu machine into ./.venv.
#   bash .ci/install.sh          # the app and the headless engine
#   bash .ci/install.sh --test   # plus the test tools
set -euo pipefail
cd "$(dirname "$0")/.."

# System libraries: EGL/Mesa for headless OpenGL, Xvfb + the xcb libraries Qt's window needs.
apt_packages=(libegl1 libegl-mesa0 libgl1-mesa-dri libgbm1 libgl1 libglib2.0-0 libfontconfig1 libdbus-1-3
  libxkbcommon0 libxkbcommon-x11-0 libxcb-icccm4 libxcb-keysyms1 libxcb-image0 libxcb-render-util0
  libxcb-xinerama0 libxcb-xkb1 libxcb-shape0 libxcb-randr0 libxcb-cursor0 libx11-xcb1 xvfb xauth)
missing=()
for p in "${apt_packages[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
if [ ${#missing[@]} -gt 0 ]; then
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

[ -x .venv/bin/python ] || python3 -m venv .venv
.venv/bin/python -m pip install -q --upgrade pip
# torch first and pinned: the CPU build (a bare "torch" can pull a multi-GB CUDA build).
.venv/bin/python -m pip install -q "torch==2.13.0" || .venv/bin/python -m pip install -q "torch>=2.2,<2.14"
if [ "${1:-}" = "--test" ]; then
  .venv/bin/python -m pip install -q -e ".[test]"
else
  .venv/bin/python -m pip install -q -e .
fi
