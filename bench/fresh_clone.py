"""From a fresh clone to a working demo, as a newcomer sees it (`make bench-fresh`, or rows of
`BENCH_FRESH=1 make bench`).

Each run clones this repository (its committed HEAD) into a temporary folder, runs `make run`
there on ports of its own, and measures:
- "fresh clone to banner": until `make run` prints "Shelfwise is running" (the site is usable);
- "fresh clone to demo fully loaded": until the site's /demo.json says the history is loaded;
- "restart to banner": Ctrl-C, then `make run` again in the same clone (nothing to install,
  the demo kept), and whether that second `make run` installed anything.
"warm" uses the package caches as they are (what a second user of this machine sees); "cold"
(FRESH_COLD=1) disables pip's cache and gives npm an empty one (what CI sees); apt packages
(Java) are the machine's either way. Slow (minutes a run): never part of a plain `make bench`.
Prints figures and asserts nothing. FRESH_RUNS=n repeats each (median shown), FRESH_KEEP=1
keeps the clones.

    .venv/bin/python -m bench.fresh_clone
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path
from typing import IO, Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from local.stack import free_port  # noqa: E402

BANNER = "Shelfwise is running"
STACK_STARTS = "-m local.stack"  # make echoes it when the installs are done
# What `make` echoes when it installs something (a second `make run` should echo none of it).
INSTALLS = re.compile(r"pip install|npm ci|python3? -m venv|apt-get|local\.superstore")
TIMEOUT = 900.0


class _Run:
    """`make run` in a clone, its output read line by line with the time each line came."""

    def __init__(self, repo: Path, env: dict[str, str], log: IO[str]) -> None:
        self.started = time.monotonic()
        self.lines: list[tuple[float, str]] = []
        self.process = subprocess.Popen(  # noqa: S603 - fixed argv
            ["make", "run"], cwd=repo, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,  # noqa: S607
            stderr=subprocess.STDOUT, text=True, start_new_session=True,
        )  # fmt: skip
        self._log = log
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        for line in self.process.stdout or ():
            self.lines.append((time.monotonic() - self.started, line.rstrip()))
            self._log.write(line)
            self._log.flush()

    def seconds_until(self, text: str, timeout: float = TIMEOUT) -> float:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for at, line in self.lines:
                if text in line:
                    return at
            if self.process.poll() is not None and not self._reader.is_alive():
                raise RuntimeError(f"make run ended ({self.process.returncode}) before printing {text!r}")
            time.sleep(0.2)
        raise RuntimeError(f"no {text!r} within {timeout:.0f} s")

    def installed(self, before: str = BANNER) -> list[str]:
        out = []
        for _, line in self.lines:
            if before in line:
                break
            if INSTALLS.search(line):
                out.append(line)
        return out

    def stop(self) -> None:
        """Ctrl-C, as a person would (SIGINT to the process group), then make sure."""
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGINT)
            try:
                self.process.wait(60)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(10)
        self._reader.join(5)


def _demo_loaded(site_url: str, run: _Run, timeout: float = TIMEOUT) -> float:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"{site_url}/demo.json", timeout=5) as reply:  # noqa: S310 - loopback
                status = json.loads(reply.read())
        except OSError:
            status = {}
        if status.get("state") in ("done", "none"):
            return time.monotonic() - run.started
        if status.get("state") == "failed":
            raise RuntimeError("the demo's history stopped loading")
        time.sleep(1)
    raise RuntimeError(f"the demo was not loaded within {timeout:.0f} s")


def measure_once(cold: bool, keep: bool = False) -> dict[str, Any]:
    """One fresh clone: {"install", "banner", "loaded", "restart", "restart_installed", "folder"}."""
    folder = Path(tempfile.mkdtemp(prefix="shelfwise-fresh-"))
    repo = folder / "repo"
    subprocess.run(["git", "clone", "--quiet", str(ROOT), str(repo)], check=True)  # noqa: S603, S607
    site_port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("VIRTUAL_ENV", "MAKE", "MFLAGS"))}
    env.update(API_PORT=str(free_port()), SITE_PORT=str(site_port), MOTO_PORT=str(free_port()),
               DYNAMODB_PORT=str(free_port()), DEMO="1")  # fmt: skip
    if cold:
        env.update(PIP_NO_CACHE_DIR="1", npm_config_cache=str(folder / "npm-cache"))
    result: dict[str, Any] = {"folder": str(folder)}
    with (folder / "make-run.log").open("w") as log:
        run = _Run(repo, env, log)
        try:
            result["banner"] = run.seconds_until(BANNER)
            result["install"] = run.seconds_until(STACK_STARTS)
            result["loaded"] = _demo_loaded(f"http://127.0.0.1:{site_port}", run)
        finally:
            run.stop()
        again = _Run(repo, env, log)
        try:
            result["restart"] = again.seconds_until(BANNER, timeout=120)
            result["restart_installed"] = again.installed()
        finally:
            again.stop()
    if not keep:
        shutil.rmtree(folder, ignore_errors=True)
    return result


def measure(runs: int = 1, cold: bool = False, keep: bool = False) -> list[dict[str, Any]]:
    """Rows for bench/__main__.py: {"operation", "value"}."""
    samples = []
    for i in range(runs):
        print(f"fresh clone {i + 1}/{runs} ({'cold' if cold else 'warm'} caches)...", file=sys.stderr, flush=True)
        samples.append(measure_once(cold, keep))
    kind = "cold caches" if cold else "warm caches"

    def figure(key: str) -> str:
        values = [s[key] for s in samples]
        spread = f" (runs: {', '.join(f'{v:.0f}' for v in values)})" if len(values) > 1 else ""
        return f"{statistics.median(values):.1f} s{spread}"

    installed = [line for s in samples for line in s["restart_installed"]]
    return [
        {"operation": f"fresh clone to banner, {kind}", "value": f"{figure('banner')}  (goal 90 s warm)"},
        {"operation": f"  of which installing, {kind}", "value": figure("install")},
        {"operation": f"fresh clone to demo fully loaded, {kind}", "value": f"{figure('loaded')}  (goal 180 s)"},
        {"operation": "restart with the demo loaded, to banner", "value": f"{figure('restart')}  (goal < 10 s)"},
        {"operation": "second make run installed", "value": "; ".join(installed) if installed else "nothing"},
    ]


def main() -> None:
    runs = int(os.environ.get("FRESH_RUNS", "1"))
    keep = os.environ.get("FRESH_KEEP") == "1"
    cold = os.environ.get("FRESH_COLD") == "1"
    dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=ROOT, capture_output=True,  # noqa: S607
                           text=True, check=False).stdout.strip()  # fmt: skip
    if dirty:
        print("note: the clone has the committed HEAD; uncommitted changes are not measured", file=sys.stderr)
    for r in measure(runs, cold, keep):
        print(f"{r['operation']:<45} {r['value']}")


if __name__ == "__main__":
    main()
