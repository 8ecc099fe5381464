#!/usr/bin/env bash
# Installs what etvision needs on a Debian 12 machine: the Debian packages
# (compiler, CMake/Ninja, OpenCV, libcurl, ...) and a project-local Python
# environment (.venv) with the pinned executorch wheel, whose C++ SDK the
# library builds against (requirements-runtime.txt, without its Python
# dependencies: no torch), and a Node.js >= 20.17 for the Node package (the
# system's, else one in .tools/node).
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
  libopencv-core-dev libopencv-imgproc-dev libopencv-imgcodecs-dev libopencv-videoio-dev
  libavcodec-dev libavformat-dev libavutil-dev libswscale-dev libdeflate-dev libjpeg-dev
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
# Node.js >= 20.17 for the Node package (bindings/node): the system's node
# when new enough, else a project-local one in .tools/node (below), fetched
# from the npm registry with npm: Debian's nodejs and npm when there is none.
. scripts/node_env.sh
if ! command -v npm >/dev/null && ! etvision_node_ok .tools/node/bin/node; then
  missing+=(nodejs npm)
fi
if ((${#missing[@]})); then
  echo "setup: installing Debian packages: ${missing[*]}"
  sudo=""
  if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

if ! etvision_node_ok node && ! etvision_node_ok .tools/node/bin/node; then
  case "$(uname -m)" in
    x86_64) node_arch=x64 ;;
    aarch64) node_arch=arm64 ;;
    *) echo "setup: no Node.js >= 20.17 and no node-linux package for $(uname -m)" >&2; exit 1 ;;
  esac
  echo "setup: installing Node.js $etvision_node_version and npm $etvision_npm_version into" \
    ".tools/node (the system's node is $(node --version 2>/dev/null || echo missing); the Node package" \
    "needs >= 20.17)"
  if ! command -v npm >/dev/null; then
    echo "setup: npm is needed to fetch Node.js from the npm registry, and none is on PATH" >&2
    exit 1
  fi
  mkdir -p .tools/node/bin
  echo '*' > .tools/.gitignore
  npm install --prefix .tools/node --no-audit --no-fund --loglevel=error \
    "node-linux-$node_arch@$etvision_node_version" "npm@$etvision_npm_version"
  ln -sfn "../node_modules/node-linux-$node_arch/bin/node" .tools/node/bin/node
  for tool in npm npx; do
    printf '#!/bin/sh\nhere="$(dirname "$(readlink -f "$0")")"\nexec "$here/node" "$here/../node_modules/npm/bin/%s-cli.js" "$@"\n' \
      "$tool" > ".tools/node/bin/$tool"
    chmod +x ".tools/node/bin/$tool"
  done
  etvision_node_ok .tools/node/bin/node || { echo "setup: .tools/node/bin/node does not run" >&2; exit 1; }
  echo "setup: Node.js $(.tools/node/bin/node --version) in .tools/node/bin (put it first on PATH" \
    "to use the Node package: export PATH=\"$root/.tools/node/bin:\$PATH\")"
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
