"""infnat: ``python main.py [IMAGE]`` opens the app; ``python main.py fly …`` renders a flight headless."""

import sys

from app.launcher import main

if __name__ == "__main__":
    sys.exit(main())
