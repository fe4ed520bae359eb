"""The domain vocabulary (lowest layer): states, drug groups, events, modalities, routes, and
the named transitions between states with their lever families. Imports nothing else of `sim`."""
