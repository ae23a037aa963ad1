"""Reviewable files: scenario and resolution YAML, forecast CSV, JSON export."""
