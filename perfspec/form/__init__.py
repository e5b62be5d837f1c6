"""The form: one typed model of a printed form (model), its layouts and kinds (data), and every value derived from it (derived)."""
