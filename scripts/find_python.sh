#!/usr/bin/env bash
# Print the path of a Python 3.12 or 3.13 (mesa 3.5 needs >= 3.12; hydra-core 1.3 breaks on 3.14).
# Looks at python3.12, python3.13 and python3 on PATH, then at pyenv's versions. Exits 1 if none.
usable() { "$@" -c 'import sys; sys.exit(0 if (3, 12) <= sys.version_info[:2] < (3, 14) else 1)' >/dev/null 2>&1; }
for candidate in python3.12 python3.13 python3; do
  if command -v "$candidate" >/dev/null 2>&1 && usable "$candidate"; then command -v "$candidate"; exit 0; fi
done
if command -v pyenv >/dev/null 2>&1; then
  for version in $(pyenv versions --bare 2>/dev/null | grep -E '^3\.1[23](\.[0-9]+)?$' | sort -V); do
    prefix="$(pyenv prefix "$version" 2>/dev/null || true)"
    if [ -n "$prefix" ] && usable "$prefix/bin/python3"; then echo "$prefix/bin/python3"; exit 0; fi
  done
fi
echo "no Python 3.12 or 3.13 found (looked for python3.12, python3.13, python3 and pyenv versions);" >&2
echo "mesa 3.5 needs Python >= 3.12 and hydra-core 1.3 breaks on 3.14: install 3.12 or 3.13" >&2
exit 1
