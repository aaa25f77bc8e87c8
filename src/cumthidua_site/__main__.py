"""`python -m cumthidua_site`."""

from .cli import entry

entry()
