"""Passwords in URLs (a calibration's `storage=postgresql://user:password@host/db`) never reach a file: Hydra
writes every override into the run folder, so they are redacted before it writes (`sim.config.commands`) and a
storage URL carrying one is refused (`sim.config.validation`)."""

import re

# user:password@ in a URL, and password=... in its query string
_IN_URL = re.compile(r"(?P<head>\b[A-Za-z][A-Za-z0-9+.-]*://[^\s/:@]*:)(?P<secret>[^\s@]+)(?=@)")
_IN_QUERY = re.compile(r"(?P<head>[?&;](?:password|passwd|pwd)=)(?P<secret>[^&;\s]+)", re.IGNORECASE)
REDACTED = "***"


def redact(text: str) -> str:
    """text with the password of any URL in it replaced by ***."""
    text = _IN_URL.sub(lambda m: m["head"] + REDACTED, text)
    return _IN_QUERY.sub(lambda m: m["head"] + REDACTED, text)


def has_secret(text: str) -> bool:
    return redact(text) != text
