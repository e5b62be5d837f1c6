"""Loading: bytes to data with positions (loader), then the schema gate (schema_check)."""
