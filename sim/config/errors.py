"""The errors bad input raises, so every layer can refuse it the same way and every command end with one line."""


class InputError(ValueError):
    """Bad input of any kind (a setting, a file a user brings, a folder to compare): the message names it and
    what is allowed, and a command ends with that message alone, no traceback (`sim.config.commands`)."""


class ConfigError(InputError):
    """An invalid configuration value: the message names the field and the allowed values."""
