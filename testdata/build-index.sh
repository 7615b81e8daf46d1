#!/usr/bin/env bash
# Rebuilds testdata/index (a static PEP 503/691 index tree, byte-for-byte
# deterministic) from testdata/index.toml with the shared pyindex.py.
#   PYLOCK_SHARED  directory holding bench/pyindex.py (default: ../shared
#                  beside the project root)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
shared=$(cd "${PYLOCK_SHARED:-$root/../shared}" && pwd)
cd "$here"
python3 "$shared/bench/pyindex.py" build packse:index.toml --out index
