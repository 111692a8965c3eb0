"""Checks that results.json files agree with the first one, timings and measured speeds aside (they
differ between any two runs; everything else must not): a resumed run against an uninterrupted one,
or a sweep's jobs against the sequential run.

usage: same_results.py [--key K] [--length K N] REFERENCE OTHER...
  --key K       compare only entry K (e.g. runs) instead of the whole file
  --length K N  the reference's entry K must have N items
"""
import argparse
import json
import sys


def strip(node):
    if isinstance(node, dict):
        return {k: strip(v) for k, v in node.items() if "seconds" not in k and k != "inference"}
    if isinstance(node, list):
        return [strip(v) for v in node]
    return node


def load(path, key):
    results = strip(json.load(open(path)))
    return results[key] if key else results


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--key")
    parser.add_argument("--length", nargs=2, metavar=("K", "N"))
    parser.add_argument("reference")
    parser.add_argument("others", nargs="+")
    args = parser.parse_args()
    if args.length:
        key, expected = args.length
        found = len(load(args.reference, key))
        if found != int(expected):
            sys.exit(f"{args.reference}: expected {expected} entries in {key}, got {found}")
    reference = load(args.reference, args.key)
    for path in args.others:
        if load(path, args.key) != reference:
            sys.exit(f"{path} differs from {args.reference}")
    print(f"identical results in {args.reference}, " + ", ".join(args.others))


if __name__ == "__main__":
    main()
