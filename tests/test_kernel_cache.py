"""numba's disk cache of the kernel is cleared when any kernel source changes (numba looks only at one file)."""

from sim.model.kernel import cache


def test_a_changed_helper_file_clears_the_cached_kernel(tmp_path, monkeypatch):
    helper, step = tmp_path / "people.py", tmp_path / "step.py"
    helper.write_text("def draw(): return 1\n")
    step.write_text("def step_rows(): return draw()\n")
    pycache = tmp_path / "__pycache__"
    pycache.mkdir()
    monkeypatch.setattr(cache, "SOURCES", (helper, step))
    monkeypatch.setattr(cache, "CACHE_DIRS", (pycache,))
    monkeypatch.setattr(cache, "STAMP", pycache / "kernel-sources.sha256")
    compiled = [pycache / "step.step_rows-10.py312.nbi", pycache / "step.step_rows-10.py312.1.nbc"]
    other = pycache / "elsewhere.f-3.py312.nbi"  # another module's cache: never touched
    for path in (*compiled, other):
        path.write_bytes(b"x")

    cache.clear_if_stale()  # first look: no stamp yet, so nothing cached can be trusted
    assert not any(p.exists() for p in compiled) and other.exists()
    for path in compiled:  # numba compiles and caches again
        path.write_bytes(b"x")
    assert cache.clear_if_stale() is False and all(p.exists() for p in compiled)  # unchanged sources: kept

    helper.write_text("def draw(): return 2\n")  # only the helper's file changes
    assert cache.clear_if_stale() is True
    assert not any(p.exists() for p in compiled) and other.exists()
