"""Saved-page tests for the spiders."""
