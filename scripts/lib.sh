# Shared by scripts/demo and scripts/test. Source it; do not run it.
# shellcheck shell=bash

RACETRACK_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

# Installs the Debian packages listed in scripts/packages.txt that are missing.
# Quiet when nothing is missing; `apt-get update` only when something is.
racetrack_ensure_packages() {
  local missing=() pkg
  while read -r pkg; do
    pkg=${pkg%%#*}; pkg=${pkg//[[:space:]]/}
    [ -n "$pkg" ] || continue
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
  done <"$RACETRACK_ROOT/scripts/packages.txt"
  [ ${#missing[@]} -eq 0 ] && return 0
  if [ "$(id -u)" -ne 0 ]; then
    echo "racetrack: missing Debian packages. Install them with:" >&2
    echo "  sudo apt-get update && sudo apt-get install -y ${missing[*]}" >&2
    return 1
  fi
  echo "racetrack: installing ${missing[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null || { echo "racetrack: apt-get update failed" >&2; return 1; }
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null ||
    { echo "racetrack: apt-get install failed: ${missing[*]}" >&2; return 1; }
  # The Debian packages start system-wide servers; racetrack starts its own throwaway ones.
  for svc in redis-server postgresql; do
    if command -v systemctl >/dev/null 2>&1; then systemctl stop "$svc" >/dev/null 2>&1 || true; fi
    service "$svc" stop >/dev/null 2>&1 || true
  done
}

# Compiler cache: when ccache is installed (scripts/packages.txt lists it) every build goes
# through it, with CCACHE_BASEDIR at the checkout so a clone at another path hits the same cache
# (paths inside the checkout are hashed relative to it). Only read when a build folder is first
# configured; a caller's own CMAKE_*_COMPILER_LAUNCHER / CCACHE_BASEDIR win.
racetrack_use_ccache() {
  command -v ccache >/dev/null 2>&1 || return 0
  export CMAKE_C_COMPILER_LAUNCHER=${CMAKE_C_COMPILER_LAUNCHER:-ccache}
  export CMAKE_CXX_COMPILER_LAUNCHER=${CMAKE_CXX_COMPILER_LAUNCHER:-ccache}
  export CCACHE_BASEDIR=${CCACHE_BASEDIR:-$RACETRACK_ROOT}
}

# Configures and builds one preset (release, debug or fuzz).
racetrack_build() {
  local preset=$1
  cd "$RACETRACK_ROOT" || return 1
  racetrack_use_ccache
  cmake --preset "$preset" >/dev/null || { echo "racetrack: cmake configure failed" >&2; return 1; }
  cmake --build --preset "$preset" -- --no-print-directory 2>&1 | grep -v '^\[' || true
  [ "${PIPESTATUS[0]}" -eq 0 ] || { echo "racetrack: build failed" >&2; return 1; }
}
