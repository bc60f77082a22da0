"""Cold-start import cost: `import app` against the floor any Chalice + DynamoDB Lambda pays.

Each figure is the median wall time of fresh interpreters (so nothing is cached in memory
but the OS file cache, as on a warm Lambda host). Prints a table; asserts nothing.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RUNS = int(os.environ.get("BENCH_RUNS", "7"))
BUDGET = 1.25

FLOOR = "import chalice, boto3; boto3.client('dynamodb', region_name='us-east-1')"
APP = "import app"
TIMER = "import time; t = time.perf_counter(); {code}; import sys; sys.stdout.write(str(time.perf_counter() - t))"


def _time(code: str) -> float:
    env = {**os.environ, "AWS_REGION": "us-east-1", "PYTHONDONTWRITEBYTECODE": "0"}
    samples = []
    for _ in range(RUNS):
        out = subprocess.run(
            [sys.executable, "-c", TIMER.format(code=code)],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            check=True,
        )
        samples.append(float(out.stdout))
    return statistics.median(samples)


def measure() -> dict[str, float]:
    _time(APP)  # compile bytecode once, as a deployed package ships it
    floor = _time(FLOOR)
    app = _time(APP)
    return {"floor_s": floor, "app_s": app, "ratio": app / floor, "budget": BUDGET}


def main() -> None:
    r = measure()
    sys.stdout.write(
        f"cold start: import app {r['app_s'] * 1000:.0f} ms, floor (chalice+boto3+DynamoDB client) "
        f"{r['floor_s'] * 1000:.0f} ms, ratio {r['ratio']:.2f} (budget {BUDGET})\n"
    )


if __name__ == "__main__":
    main()
