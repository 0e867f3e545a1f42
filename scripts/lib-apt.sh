# Installing Debian packages where we may (root or sudo), only if missing.
# shellcheck shell=bash
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo -n "$@"; else return 1; fi; }
apt_install() {
    # Debian/Ubuntu packages, installed only where we may (root or sudo) and only if missing.
    command -v apt-get >/dev/null || return 1
    local missing=()
    for pkg in "$@"; do dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg"); done
    [ ${#missing[@]} -eq 0 ] && return 0
    echo "Installing ${missing[*]} with apt-get ..."
    as_root apt-get update -qq >/dev/null && as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
}

