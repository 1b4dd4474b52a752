"""HTTP blueprints, one per area: parse → load (404) → permission (403) → service → commit."""
