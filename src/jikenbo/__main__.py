"""`python -m jikenbo` runs the CLI."""

from jikenbo.cli import main

if __name__ == "__main__":
    main()
