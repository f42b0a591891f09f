"""Every benchmark, one after the other, into bench/results/latest.md.

python -m bench [--duration 10 --concurrency 1,8,32 …]
"""

from __future__ import annotations

from bench import checkin, programme, registration
from bench.harness import RESULTS_DIR, main

# Each later benchmark adds its module's SUITE here.
SUITES = [programme.SUITE, registration.SUITE, checkin.SUITE]

if __name__ == "__main__":
    main(SUITES, title="Benchmarks: all", output=RESULTS_DIR / "latest.md", description=__doc__)
