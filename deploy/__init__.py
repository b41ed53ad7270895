"""Deployment assets and the small tools that generate and render them (no runtime code)."""
