"""Subcommands: one module each, defining HELP, add_arguments(parser) and run(args, out, err) -> int."""

COMMANDS = ("check", "rules", "schema")
