"""Regenerate the example day in this folder (seeded, so the files come out the same).

    python examples/generate.py [--seed 7]
"""

import argparse
from pathlib import Path

from visitplan.demo import write_example

if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    for name, path in write_example(Path(__file__).parent, seed=args.seed).items():
        print(f"wrote {path}")
