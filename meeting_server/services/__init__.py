"""Business operations, named ``verb_noun``: they flush and audit, and never commit."""
