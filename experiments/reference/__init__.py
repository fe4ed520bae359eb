"""Reference implementations the engine is measured against (correctness and speed)."""
