#!/usr/bin/env python
"""Django's manage.py, for developers; operators use the `connexion` command."""

import sys

from connexion.cli import main

if __name__ == "__main__":
    main(sys.argv[1:])
