"""Renderers: the report document (``fonder.report/1``) as terminal text, HTML or JSON."""
