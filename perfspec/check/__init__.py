"""Checking: the engine runs the rules on a loaded form and applies acknowledgements; one module per rule under rules/."""
