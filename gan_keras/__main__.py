"""`python -m gan_keras ...`: see gan_keras/cli.py."""

import sys

from gan_keras.cli import main

if __name__ == "__main__":
    sys.exit(main())
