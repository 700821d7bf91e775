"""Widgets render read models and post messages; they never call the store."""
