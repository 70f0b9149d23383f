# Helpers for .ci/run and its install.d/ and checks.d/ scripts.

step() { printf '\n=== %s\n' "$*"; }

# Install Debian packages that are not there yet (apt-get update at most once per run).
need_apt() {
    local missing=()
    for pkg in "$@"; do
        dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    if [ -z "${COMMUNIQUE_APT_UPDATED:-}" ]; then
        apt-get update -qq
        export COMMUNIQUE_APT_UPDATED=1
    fi
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

# Install the npm packages of .ci/package.json (once per run).
need_npm() {
    if [ -z "${COMMUNIQUE_NPM_DONE:-}" ]; then
        (cd .ci && npm ci --no-audit --no-fund --silent)
        export COMMUNIQUE_NPM_DONE=1
    fi
}

# Install Python packages with pip, quietly.
need_pip() {
    python3 -m pip install --quiet --disable-pip-version-check "$@"
}
