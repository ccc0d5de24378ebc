"""The web application in French: server-rendered pages (Jinja2 + htmx).

Views only parse forms, call the same service functions as the API and render;
no INS rule lives here or in a template.
"""

from identito.entrypoints.web.app import install_web

__all__ = ["install_web"]
