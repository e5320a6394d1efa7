#!/usr/bin/env bash
# Installs the Debian packages named as arguments that are not installed yet, without prompting.
# Uses apt-get directly as root, sudo when available, and otherwise says exactly what to run.
set -euo pipefail

missing=()
for package in "$@"; do
    if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed"; then
        missing+=("$package")
    fi
done
[ ${#missing[@]} -eq 0 ] && exit 0

if ! command -v apt-get >/dev/null 2>&1; then
    echo "error: missing packages: ${missing[*]}; this is not a Debian system, install them by hand" >&2
    exit 1
fi
if [ "$(id -u)" -eq 0 ]; then
    run=()
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    run=(sudo -n)
else
    echo "error: missing packages: ${missing[*]}" >&2
    echo "fix: run 'sudo apt-get install -y ${missing[*]}' and retry" >&2
    exit 1
fi
echo "installing missing packages: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
"${run[@]}" apt-get update -qq
"${run[@]}" apt-get install -y -qq "${missing[@]}"
