"""What check_nlu.py and check_core.py share: their options, thresholds and verdict."""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import yaml

PROJECT = Path(__file__).resolve().parent.parent


def options(kind: str, argv: Sequence[str] | None) -> tuple[Path, Path, dict[str, Any]]:
    """Parse `--root/--results/--thresholds`; return (root, results dir, limits of `kind`)."""
    parser = argparse.ArgumentParser(description=f"check rasa test {kind} results")
    parser.add_argument("--root", type=Path, default=PROJECT)
    parser.add_argument("--results", type=Path, default=Path(f"results/{kind}"))
    parser.add_argument("--thresholds", type=Path, default=Path("thresholds.yml"))
    args = parser.parse_args(argv)
    root: Path = args.root
    thresholds = yaml.safe_load((root / args.thresholds).read_text()) or {}
    return root, root / args.results, thresholds.get(kind, {})


def verdict(script: str, problems: list[str]) -> int:
    if problems:
        print(f"{script}: FAILED - " + "; ".join(problems))
        return 1
    print(f"{script}: ok")
    return 0
