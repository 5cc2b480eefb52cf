"""Derive the external English set: sampled ESCO alternative labels, each expecting its occupation(s).

    python -m evals.esco_altlabels "../shared/esco/ESCO dataset - v1.1.1 - classification - en - csv.zip" \
        --out evals/results/esco_altlabels_en.jsonl
    assistant eval retrieval evals/results/esco_altlabels_en.jsonl
"""

from __future__ import annotations

import argparse
import json
import random
from collections import defaultdict
from pathlib import Path

from assistant.esco.reader import members, read_concepts


def altlabel_cases(zip_path: Path, *, n: int = 1000, seed: int = 0) -> list[dict]:
    """`n` alternative labels of occupations; a label shared by several occupations expects any of them."""
    owners: dict[str, set[str]] = defaultdict(set)
    preferred: set[str] = set()
    for member in members(zip_path):
        if member.table == "occupations":
            for concept in read_concepts(member):
                preferred.add(concept.preferred.lower())
                for label in concept.alt:
                    owners[label].add(concept.uri)
    # A label that is another occupation's preferred name asks for that occupation, not this one.
    labels = sorted(label for label in owners if label.lower() not in preferred)
    sample = random.Random(seed).sample(labels, min(n, len(labels)))
    return [
        {
            "id": f"alt-{i:04d}",
            "lang": "en",
            "query": label,
            "kind": "occupation",
            "expected": sorted(owners[label]),
        }
        for i, label in enumerate(sample)
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("zip", type=Path, help="the English ESCO classification package")
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("-n", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    cases = altlabel_cases(args.zip, n=args.n, seed=args.seed)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text("".join(json.dumps(c, ensure_ascii=False) + "\n" for c in cases), encoding="utf-8")
    print(f"{len(cases)} cases -> {args.out}")


if __name__ == "__main__":
    main()
