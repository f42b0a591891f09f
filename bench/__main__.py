"""Every benchmark, one after the other, into bench/results/latest.md.

python -m bench [--duration 10 --concurrency 1,8,32 …]
"""

from __future__ import annotations

from bench import programme
from bench.harness import RESULTS_DIR, main

# Each later benchmark adds its module's SUITE here.
SUITES = [programme.SUITE]

if __name__ == "__main__":
    main(SUITES, title="Benchmarks: all", output=RESULTS_DIR / "latest.md", description=__doc__)
