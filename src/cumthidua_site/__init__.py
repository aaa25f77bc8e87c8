"""cumthidua-site: a static data-journalism site for the Mekong Delta emulation cluster."""

__version__ = "0.1.0"
