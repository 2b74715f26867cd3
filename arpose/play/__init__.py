"""arpose.play."""
