"""Slower tests: the server as a real process over stdio and HTTP."""
