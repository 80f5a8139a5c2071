#!/usr/bin/env python3
"""Print one SHA-256 over every input of `rasa train`, so a Makefile can retrain only
when something changed:  config.yml, domain.yml, data/** (without data/generated/,
which is derived) and scripts/prepare_data.py (which derives it).

    python scripts/fingerprint.py            # the hash
    python scripts/fingerprint.py --list     # the hash of each file, then the total
"""

from __future__ import annotations

import argparse
import hashlib
import sys
from collections.abc import Sequence
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
FILES = ("config.yml", "domain.yml", "scripts/prepare_data.py")


def training_inputs(root: Path) -> list[Path]:
    paths = [root / name for name in FILES]
    data = root / "data"
    if data.exists():
        paths += [
            p
            for p in data.rglob("*")
            if p.is_file() and "generated" not in p.relative_to(data).parts
        ]
    return sorted(paths, key=lambda p: p.relative_to(root).as_posix())


def fingerprint(root: Path, listing: list[str] | None = None) -> str:
    total = hashlib.sha256()
    for path in training_inputs(root):
        name = path.relative_to(root).as_posix()
        digest = hashlib.sha256(path.read_bytes()).hexdigest() if path.exists() else "-"
        total.update(f"{name}\0{digest}\n".encode())
        if listing is not None:
            listing.append(f"{digest}  {name}")
    return total.hexdigest()


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="hash of the training inputs")
    parser.add_argument("--root", type=Path, default=PROJECT)
    parser.add_argument("--list", action="store_true", help="also list each file")
    args = parser.parse_args(argv)
    listing: list[str] | None = [] if args.list else None
    total = fingerprint(args.root, listing)
    for line in listing or []:
        print(line)
    print(total)
    return 0


if __name__ == "__main__":
    sys.exit(main())
