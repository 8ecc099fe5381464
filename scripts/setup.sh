#!/usr/bin/env bash
# Installs what etvision needs on a Debian 12 machine: the Debian packages
# (compiler, CMake/Ninja, OpenCV, libcurl, ...) and a project-local Python
# environment (.venv) with the pinned executorch wheel, whose C++ SDK the
# library builds against (requirements-runtime.txt, without its Python
# dependencies: no torch).
#   scripts/setup.sh         what building and running etvision needs
#   scripts/setup.sh --dev   also the test and export tooling
#                            (requirements.txt: torch, torchvision, ...)
# Safe to run again: it installs only what is missing or changed.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
dev=0
case "${1:-}" in
  --dev) dev=1 ;;
  "") ;;
  *) echo "usage: scripts/setup.sh [--dev]" >&2; exit 2 ;;
esac

debian_packages=(
  build-essential ninja-build pkg-config git python3 python3-venv python3-pip
  libopencv-core-dev libopencv-imgproc-dev libopencv-imgcodecs-dev
  libcurl4-openssl-dev zlib1g-dev libssl-dev ca-certificates nlohmann-json3-dev libcli11-dev
  libgtest-dev libgmock-dev libbenchmark-dev clang clang-format libclang-rt-14-dev
  openssl binutils
)

missing=()
for package in "${debian_packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$package")
  fi
done
# Node.js for the Node package: machines that already have node (>= 20) keep it.
if ! command -v node >/dev/null; then
  missing+=(nodejs npm)
fi
if ((${#missing[@]})); then
  echo "setup: installing Debian packages: ${missing[*]}"
  sudo=""
  if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# Python environment; each requirements file is installed again only when it
# changes (a stamp per file in .venv).
if [ ! -x .venv/bin/python ]; then
  echo "setup: creating .venv"
  python3 -m venv .venv
fi
install_requirements() {  # FILE [pip options...]
  local file="$1" stamp=".venv/.$1.sha256"
  shift
  local wanted
  wanted="$(sha256sum "$file" | cut -d' ' -f1)"
  if [ "$(cat "$stamp" 2>/dev/null || true)" != "$wanted" ]; then
    echo "setup: installing Python packages ($file)"
    .venv/bin/python -m pip install -q --upgrade pip
    .venv/bin/python -m pip install -q "$@" -r "$file"
    echo "$wanted" > "$stamp"
  fi
}
install_requirements requirements-runtime.txt --no-deps
if ((dev)); then
  install_requirements requirements.txt
fi
echo "setup: ok"
