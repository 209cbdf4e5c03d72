"""Widgets used by several screens of the desk."""
