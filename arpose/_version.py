"""The package version, in its own module so that submodules never import the root
package for it."""

__version__ = "0.1.0"
