"""arpose.input."""
