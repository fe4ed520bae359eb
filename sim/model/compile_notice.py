"""A line on stderr while numba compiles the step, so a first run does not sit silent for minutes.

numba compiles a function when its on-disk cache has no copy for the arguments' types: on the
first run after installing, after a kernel source changed (`sim.model.kernel.cache`) or after a
numba upgrade. Loading a cached copy takes a fraction of a second and says nothing. numba
announces every real compilation with its "numba:compile" event (numba's event API); loading
from the cache raises none, so the notice appears exactly when compiling happens.
"""

import sys
import time
from contextlib import contextmanager

from numba.core import event


class CompileNotice(event.Listener):
    """Says when the outermost compilation starts and how long it took (nested ones are its parts)."""

    def __init__(self, what: str):
        self.what = what
        self.depth = 0
        self.started: float | None = None
        self.finished = False

    def on_start(self, ev) -> None:
        if self.depth == 0 and self.started is None:
            self.started = time.perf_counter()
            print(f"compiling {self.what} (first run only: a minute or more; later runs load it from the cache)",
                  file=sys.stderr, flush=True)
        self.depth += 1

    def on_end(self, ev) -> None:
        self.depth -= 1
        if self.depth == 0 and not self.finished:
            self.finished = True
            print(f"compiled {self.what} in {time.perf_counter() - self.started:.0f} s", file=sys.stderr, flush=True)


@contextmanager
def announce_compiling(what: str):
    """Within the block, any numba compilation prints one line when it starts and one when it ends."""
    with event.install_listener("numba:compile", CompileNotice(what)):
        yield
