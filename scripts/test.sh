#!/usr/bin/env bash
# Installs the test dependencies and runs the tests (README's second set-up command).
set -euo pipefail
cd "$(dirname "$0")/.."
# torch: the pinned CPU build (an unpinned torch pulls several GB of CUDA packages).
python -c "import torch" 2>/dev/null || python -m pip install "torch==2.13.0"
python -m pip install -e ".[dev]"
python -m pytest "$@"
