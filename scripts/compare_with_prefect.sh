#!/usr/bin/env bash
# Differential test of our loader against the real Prefect 0.15.13.
# Optional and not run in CI: it needs network access the first time (pip).
#
# Usage:  scripts/compare_with_prefect.sh [SEEDS] [FIRST_SEED]
#         (defaults: 200 seeds starting at 0)
#
# Environment knobs:
#   VENV_DIR  where to keep the Prefect venv
#             (default: ~/.cache/prefect-config/venv-prefect-0.15.13)
#   PYTHON    interpreter used to create the venv (default: python3)
#
# Each seed gives random defaults/user/backend TOML files and environment
# variables; Prefect's load_configuration() and
# `prefect-config view --format json ...` must produce the same JSON.
# Failing inputs are written to target/prefect-compare/seed-N/case.json.
set -euo pipefail

SEEDS="${1:-200}"
FIRST="${2:-0}"
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV_DIR="${VENV_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/prefect-config/venv-prefect-0.15.13}"

# 1. A venv with the reference implementation.
if ! "$VENV_DIR/bin/python" -c 'import prefect, sys; sys.exit(prefect.__version__ != "0.15.13")' 2>/dev/null; then
    echo "creating $VENV_DIR with prefect==0.15.13 ..." >&2
    "${PYTHON:-python3}" -m venv "$VENV_DIR"
    "$VENV_DIR/bin/pip" install --quiet prefect==0.15.13
fi

# 2. Our binary. It is started directly (not through `cargo run`) so that it
#    sees only the generated environment, just like Prefect does.
cd "$ROOT"
cargo build --quiet --release
BIN="$ROOT/target/release/prefect-config"

# 3. Compare. A fixed hash seed keeps Prefect's own results reproducible.
PYTHONHASHSEED=0 "$VENV_DIR/bin/python" "$ROOT/scripts/compare_helper.py" \
    --bin "$BIN" --seeds "$SEEDS" --first "$FIRST" --keep "$ROOT/target/prefect-compare"
