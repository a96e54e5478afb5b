"""Readers of the store for people: effectiveness metrics."""
