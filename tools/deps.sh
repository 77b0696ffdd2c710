#!/usr/bin/env bash
# Installs tinynet's build and test dependencies from Debian's packages, only if missing.
# Sourced by tools/demo.sh and tools/test.sh; usage: tn_install_deps PACKAGE...
tn_install_deps() {
    local missing=()
    for p in "$@"; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
            missing+=("$p")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    echo "tinynet: installing ${missing[*]}" >&2
    local sudo=""
    if [ "$(id -u)" -ne 0 ]; then
        command -v sudo >/dev/null || {
            echo "tinynet: please install as root: apt-get install ${missing[*]}" >&2
            return 1
        }
        sudo="sudo"
    fi
    $sudo apt-get update -qq &&
        DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends \
            "${missing[@]}" >/dev/null
}

# What building tinynet needs.
TN_BUILD_DEPS=(gcc make cmake pkg-config libopenblas-dev libcjson-dev zlib1g-dev)
# What the MPI build (-DTN_MPI=ON: mpirun -n P tinynet train) needs: Debian's OpenMPI.
TN_MPI_DEPS=(libopenmpi-dev openmpi-bin)
# What tools/bench/compare's C peer needs (FANN, the engine compare_fann, built only when
# the library is found): the benchmark alone; the build, the tests and CI do without it.
TN_BENCH_DEPS=(libfann-dev)
