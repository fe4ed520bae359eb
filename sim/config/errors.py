"""The one error a bad configuration raises, so every layer can refuse input the same way."""


class ConfigError(ValueError):
    """An invalid configuration value: the message names the field and the allowed values."""
