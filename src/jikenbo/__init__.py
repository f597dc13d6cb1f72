"""jikenbo: Japanese breach notices → linked incident records with evidence."""
__version__ = "0.1.0"
