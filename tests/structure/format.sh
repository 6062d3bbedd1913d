#!/bin/sh
# format.sh ROOT — is every C file of ROOT (src, include, tests) in the one style of
# ROOT/.clang-format? Prints each file clang-format would change and exits 1; exit 0 when all
# are clean. Formatting differs between clang-format releases, so the check needs the one the
# style was written for (Debian 12's clang-format-14); without it the test is skipped (77).
# To fix a tree: clang-format-14 -i $(find src include tests -name '*.[ch]')
set -eu
root=$1
cf=$(command -v clang-format-14 || true)
[ -n "$cf" ] || { echo "skipped: clang-format-14 is not installed (apt-get install clang-format-14)"; exit 77; }
cd "$root"
bad=0
for f in $(find src include tests -name '*.[ch]' | sort); do
    if ! "$cf" --style=file --dry-run -Werror "$f" >/dev/null 2>&1; then
        echo "FAIL: $f is not formatted: clang-format-14 -i $f"
        bad=1
    fi
done
[ $bad -eq 0 ] && echo "every C file follows .clang-format"
exit $bad
