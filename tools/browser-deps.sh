#!/usr/bin/env bash
# What the browser tests need from Debian, installed where missing: chromium (Playwright drives it
# through executable_path; it cannot download its own browsers here) and a CJK font, so that the
# console's Simplified Chinese pages render in screenshots. Needs root or passwordless apt.
set -euo pipefail
missing=()
command -v chromium >/dev/null || missing+=(chromium)
fc-list 2>/dev/null | grep -qi "wqy\|noto sans cjk" || missing+=(fonts-wqy-microhei)
if [ ${#missing[@]} -gt 0 ]; then
    SUDO=""
    [ "$(id -u)" -ne 0 ] && SUDO="sudo -n"
    $SUDO apt-get install -y -q "${missing[@]}" >/dev/null \
        || { $SUDO apt-get update -q && $SUDO apt-get install -y -q "${missing[@]}" >/dev/null; }
fi
