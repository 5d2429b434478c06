#!/usr/bin/env bash
# Reader mode's extraction on the public article-extraction benchmark (181 pages with ground
# truth), as `khabar show --full` shows it; prints F1, precision and recall. Details and the
# metric: benches/extraction.py. Needs python3 (standard library only).
#   fetch or clone https://github.com/scrapinghub/article-extraction-benchmark, then
#   benches/extraction.sh PATH [--worst N] [--keep DIR] [--parts]
set -euo pipefail
HERE="$(cd "$(dirname "$0")/.." && pwd)"
BENCH="${1:?usage: benches/extraction.sh PATH-TO-article-extraction-benchmark [--worst N] [--keep DIR] [--parts]}"
shift
cargo build --release --quiet --manifest-path "$HERE/Cargo.toml"
exec python3 "$HERE/benches/extraction.py" "$BENCH" --bin "$HERE/target/release/khabar" "$@"
