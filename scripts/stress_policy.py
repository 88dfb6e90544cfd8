#!/usr/bin/env python3
"""Writes large, legal-but-extreme policies to stdout, for measuring how check,
compile and serve scale (issue 10, item 8). Not used by the tests.

  stress_policy.py phrases N        one rule, one list of N single-word phrases
  stress_policy.py phrase-lists N   N rules, each with its own one-word list
  stress_policy.py rules N          N rules with ordinary conditions
  stress_policy.py long-names N L   N lets with L-character names, and N
                                    references to misspelled names (did-you-mean)
"""
import sys

HEAD = 'policy "stress" version 1\n\nqueues {\n  general "General support"\n}\n\n'


def word(i):
    """A distinct lowercase word for each i (letters only)."""
    letters = "abcdefghijklmnopqrstuvwxyz"
    out = ""
    i += 26 * 26  # at least three letters
    while i:
        i, r = divmod(i, 26)
        out += letters[r]
    return out


def phrases(n):
    body = ",\n".join(f'    "{word(i)}"' for i in range(n))
    return HEAD + f"rule human {{\n  when customer.last mentions [\n{body}\n  ]\n  escalate to general reason \"asked\"\n}}\n"


def phrase_lists(n):
    return HEAD + "".join(
        f'rule r{i} {{\n  when customer.last mentions ["{word(i)}"]\n  escalate to general reason "r{i}"\n}}\n'
        for i in range(n)
    )


def rules(n):
    return HEAD + "".join(
        f'rule r{i} {{\n  when turns >= {i % 50 + 1} and customer.last mentions ["{word(i % 200)}"]\n'
        f'  escalate to general reason "r{i}"\n}}\n'
        for i in range(n)
    )


def long_names(n, length):
    def name(i, typo=False):
        stem = word(i)
        core = (stem + "_") * (length // (len(stem) + 1) + 1)
        core = core[:length]
        return ("q" + core[1:]) if typo else core

    lets = "".join(f"let {name(i)} = turns > {i % 9}\n" for i in range(n))
    uses = " or ".join(name(i, typo=True) for i in range(n))
    return HEAD + lets + f'\nrule r {{\n  when {uses}\n  escalate to general reason "r"\n}}\n'


def main(argv):
    kind, *args = argv
    nums = [int(a) for a in args]
    out = {"phrases": phrases, "phrase-lists": phrase_lists, "rules": rules, "long-names": long_names}[kind](*nums)
    sys.stdout.write(out)


if __name__ == "__main__":
    main(sys.argv[1:])
