"""``python -m xinfang`` runs the command line."""

from xinfang.cli import main

main()
