"""The version of tinycrm (a module of its own, so a leaf module can name it)."""

__version__ = "0.1.0"
