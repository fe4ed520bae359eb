"""Keep numba's on-disk cache of the kernel honest across files.

numba decides whether a cached compiled function is stale from the source file the function
is defined in, and from nothing else. The step is spread over several files (helpers inlined
from `people.py`, `hazards.py`, `moves.py`; constants frozen from `sim.domain`; draws from
`sim.model.rng`), so an edit to a helper would leave `step.py`'s cached machine code in use.
Before anything is compiled or loaded, this compares a hash of all those sources with the one
recorded beside the cache and, when they differ, deletes the kernel's cache files so that
numba compiles afresh. It touches only numba's cache files of those modules.
"""

import hashlib
from pathlib import Path

MODEL = Path(__file__).resolve().parents[1]
SOURCES = (*sorted((MODEL / "kernel").glob("*.py")), MODEL / "rng.py", *sorted((MODEL.parent / "domain").glob("*.py")))
CACHE_DIRS = (MODEL / "kernel" / "__pycache__", MODEL / "__pycache__")  # numba's in-tree cache
STAMP = MODEL / "kernel" / "__pycache__" / "kernel-sources.sha256"


def sources_digest() -> str:
    h = hashlib.sha256()
    for path in SOURCES:
        h.update(path.name.encode())
        h.update(path.read_bytes())
    return h.hexdigest()


def clear_if_stale() -> bool:
    """Delete the kernel's numba cache files if any kernel source changed since they were written.

    Returns True when files were deleted. Does nothing where the cache folder cannot be written
    (numba then keeps its cache elsewhere, in NUMBA_CACHE_DIR or the user's cache folder).
    """
    digest = sources_digest()
    try:
        if STAMP.is_file() and STAMP.read_text().strip() == digest:
            return False
        stems = {p.stem for p in SOURCES}
        removed = False
        for folder in CACHE_DIRS:
            for path in folder.glob("*.nb[ic]"):
                if path.name.split(".", 1)[0] in stems:
                    path.unlink(missing_ok=True)
                    removed = True
        STAMP.parent.mkdir(exist_ok=True)
        STAMP.write_text(digest + "\n")
        return removed
    except OSError:
        return False
