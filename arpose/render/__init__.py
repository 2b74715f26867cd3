"""arpose.render."""
