"""arpose.scene."""
