"""arpose.effects."""
