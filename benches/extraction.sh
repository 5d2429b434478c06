#!/usr/bin/env bash
# Reader mode's extraction on the public article-extraction benchmark (181 pages with ground
# truth), scored on `khabar show --full --json`'s body_text; prints F1, precision and recall. The
# metric: benches/extraction.py. Needs python3 (standard library only).
#   fetch or clone https://github.com/scrapinghub/article-extraction-benchmark, then
#   benches/extraction.sh PATH [--worst N] [--keep DIR]
set -euo pipefail
HERE="$(cd "$(dirname "$0")/.." && pwd)"
BENCH="${1:?usage: benches/extraction.sh PATH-TO-article-extraction-benchmark [--worst N] [--keep DIR] [--parts]}"
shift
cargo build --release --quiet --manifest-path "$HERE/Cargo.toml"
exec python3 "$HERE/benches/extraction.py" "$BENCH" --bin "$HERE/target/release/khabar" "$@"
