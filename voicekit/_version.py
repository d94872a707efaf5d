"""The version of voicekit, in a module that imports nothing, so that every module may import it."""

__version__ = "0.1.0"
