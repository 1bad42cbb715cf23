"""Markdown tables of a ``bench_quality.py`` run, one per downstream family, as RESULTS.md shows them.

    python benchmarks/quality_tables.py benchmarks/_out/quality-final-extra.json

Each row is a table, each column an encoding (3-fold CV mean; log loss is printed as is,
lower is better); the last column lists the output the nested search chose on each outer
fold.
"""

import argparse
import json

COLUMNS = {
    "linear": ["OneHot", "Target", "Embedding", "Embedding+prediction", "Prediction", "Searched"],
    "KNN": ["OneHot", "Target", "Embedding", "Embedding+prediction", "Prediction", "Searched"],
    "HGB": ["Target", "Embedding", "Embedding+prediction", "Prediction", "Searched"],
}
METRIC_NAMES = {"ROC AUC": "AUC", "log loss": "log loss ↓", "R²": "R²"}


def family_table(rows, family):
    """The markdown table of one downstream family."""
    columns = COLUMNS[family]
    lines = [
        f"| {family} | " + " | ".join(columns) + " | searched chose |",
        "|---|" + "---:|" * len(columns) + "---|",
    ]
    for dataset in dict.fromkeys(row["dataset"] for row in rows):
        scores = {
            row["pipeline"].split(" + ")[0]: row
            for row in rows
            if row["dataset"] == dataset and row["pipeline"].endswith(f" + {family}")
        }
        if not scores:
            continue
        metric = METRIC_NAMES[next(iter(scores.values()))["metric"]]
        cells = [f"{scores[c]['mean']:.4f}" if c in scores else "" for c in columns]
        chosen = ", ".join(scores.get("Searched", {}).get("chosen_outputs", []))
        lines.append(f"| {dataset} ({metric}) | " + " | ".join(cells) + f" | {chosen} |")
    return "\n".join(lines)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("results", help="a JSON file written by bench_quality.py")
    rows = json.load(open(parser.parse_args().results))["rows"]
    print("\n\n".join(family_table(rows, family) for family in COLUMNS))


if __name__ == "__main__":
    main()
