"""Call a compiled (numba) function many times without re-resolving its argument types.

numba works out the types of a call's arguments on every call; for the named tuples of
columns used here that costs ~10 us, which adds up over a thousand steps of a small area.
Within one run the argument types never change, so after the first call the compiled
entry point is called directly (measured 14 us -> 4 us per call).
"""

from numba import typeof


class FastCall:
    def __init__(self, dispatcher):
        self.dispatcher = dispatcher
        self.entry = None

    def __call__(self, *args):
        if self.entry is None:
            result = self.dispatcher(*args)
            self.entry = self.dispatcher.overloads[tuple(typeof(a) for a in args)].entry_point
            return result
        return self.entry(*args)
