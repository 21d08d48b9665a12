"""Test data for the briefs room."""
