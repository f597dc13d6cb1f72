"""`python -m jikenbo` runs the CLI."""

from jikenbo.cli import main

main()
