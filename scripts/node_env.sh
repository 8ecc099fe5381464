# Sourced by scripts that need Node.js for the Node package (bindings/node,
# engines: node >= 20.17): scripts/setup.sh, scripts/test_node.sh.
#   etvision_node_ok NODE     true when the NODE executable is >= 20.17
#   etvision_use_node ROOT    puts a suitable node (and its npm) first on PATH:
#                             the system's when new enough, else ROOT/.tools/node
#                             (installed by scripts/setup.sh); fails, saying so,
#                             when there is none
# The Node version scripts/setup.sh installs when the system's is too old
# (the npm registry's node-linux-<arch> package: the official binary), with
# the npm that Node release bundles.
etvision_node_version=20.20.2
etvision_npm_version=10.8.2

etvision_node_ok() {
  local version
  version="$("$1" --version 2>/dev/null)" || return 1
  [[ "$version" =~ ^v([0-9]+)\.([0-9]+)\. ]] || return 1
  ((BASH_REMATCH[1] > 20 || (BASH_REMATCH[1] == 20 && BASH_REMATCH[2] >= 17)))
}

etvision_use_node() {
  local root="$1"
  if etvision_node_ok node && command -v npm >/dev/null; then return 0; fi
  if etvision_node_ok "$root/.tools/node/bin/node"; then
    export PATH="$root/.tools/node/bin:$PATH"
    return 0
  fi
  echo "no Node.js >= 20.17 with npm (node on PATH: $(node --version 2>/dev/null || echo none));" \
    "scripts/setup.sh installs one into .tools/node" >&2
  return 1
}
