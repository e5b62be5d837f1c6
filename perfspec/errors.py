"""Errors that end a command with exit code 2 and one line on stderr."""


class UsageError(Exception):
    """The command line, or what it names, cannot be used as given."""
