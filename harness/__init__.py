"""What the end-to-end tests (e2e/) and the benchmarks (bench/) share: running
commands, free ports, waiting, Docker and compose calls, the fixture image, the
official schemas, and the Traefik labels as dynamic configuration.

Import it with the repository root on sys.path (e2e/conftest.py and the bench
scripts put it there).
"""

import os

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
