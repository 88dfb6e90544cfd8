#!/usr/bin/env python3
"""Writes the shipped policy's learnt-intent examples from the TRAINING parts of
../shared/data (see ../shared/data/README.md, "Training and evaluation parts").

    python3 scripts/intent_examples.py [--data ../shared/data] [--out policies/intents]

Nothing here reads an evaluation part: banking77 test.csv, clinc150 test/oos_test,
multidogo test.tsv.gz, nlupp fold10..fold19 and Bitext's rows with a SHA-1 digest
ending in 8-f are never opened. Bitext rows are not copied at all (CDLA-Sharing is
share-alike); `policies/intents/written.intents` holds examples written by us.

Sampling is deterministic: within a label, the texts with the smallest SHA-1 digests
are taken, so the same data always gives the same files. Running it again after the
data changes shows what moved with `git diff`.
"""

import argparse
import csv
import gzip
import hashlib
import json
import pathlib
import re

# BANKING77 intents that are disputes (the list).
DISPUTE_B77 = [
    "card_payment_not_recognised",
    "direct_debit_payment_not_recognised",
    "cash_withdrawal_not_recognised",
    "transaction_charged_twice",
]
# BANKING77 intents that are neither a dispute nor a routine question: a problem
# a person may have to look at (fraud, refunds, money gone missing). They train
# neither intent, so the model is not taught that they are routine.
PROBLEM_B77 = {
    "compromised_card",
    "lost_or_stolen_card",
    "lost_or_stolen_phone",
    "request_refund",
    "Refund_not_showing_up",
    "extra_charge_on_statement",
    "reverted_card_payment?",
    "card_payment_fee_charged",
    "wrong_amount_of_cash_received",
    "transfer_not_received_by_recipient",
    "card_swallowed",
    "wrong_exchange_rate_for_cash_withdrawal",
    "card_payment_wrong_exchange_rate",
}
# CLINC150 domains that are banking: not "routine elsewhere", and some of their
# intents (report_fraud, report_lost_card) are not routine at all.
CLINC_BANKING = {"banking", "credit_cards"}
# Routine BANKING77 intents whose texts read like a dispute (fees on a withdrawal,
# a pending or declined payment): measured on held-out training texts, 10 examples
# each left up to 57% of them scoring as dispute_charge, so they get more.
NEAR_DISPUTE_B77 = {
    "cash_withdrawal_charge",
    "pending_cash_withdrawal",
    "declined_card_payment",
    "pending_card_payment",
    "cancel_transfer",
    "transfer_fee_charged",
    "top_up_by_bank_transfer_charge",
    "top_up_by_card_charge",
    "balance_not_updated_after_cheque_or_cash_deposit",
}

# NLU++ `handoff` turns in the training folds that refuse a person: label noise
# for this policy's purpose (the issue asks that such refusals stay with the
# bot). They become counter-examples of request_person.
REFUSAL = re.compile(r"^\s*no\b,?\s+you\s+(don'?t|do not)\b", re.I)


def digest(text):
    return hashlib.sha1(text.encode("utf-8")).hexdigest()


def pick(texts, n):
    """The n texts with the smallest digests, deduplicated, in digest order."""
    seen = {}
    for t in texts:
        t = " ".join(t.split())
        if t and t.lower() not in seen:
            seen[t.lower()] = t
    return sorted(seen.values(), key=digest)[:n]


def nlupp(data):
    handoff, other = [], []
    for domain in ("banking", "hotels"):
        for i in range(10):  # folds 0-9: the training part
            for ex in json.loads((data / "nlupp" / domain / f"fold{i}.json").read_text()):
                (handoff if "handoff" in (ex.get("intents") or []) else other).append(ex["text"])
    return handoff, other


def banking77(data):
    by = {}
    with open(data / "banking77" / "train.csv", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            by.setdefault(row["category"], []).append(row["text"])
    return by


def clinc150(data):
    full = json.loads((data / "clinc150" / "data_full.json").read_text())
    domains = json.loads((data / "clinc150" / "domains.json").read_text())
    banking = {i for d in CLINC_BANKING for i in domains[d]}
    by = {}
    for split in ("train", "val"):
        for text, intent in full[split]:
            if intent not in banking:
                by.setdefault(intent, []).append(text)
    oos = [t for split in ("oos_train", "oos_val") for t, _ in full[split]]
    return by, oos


def multidogo(data):
    """Customer turns of the training and dev splits, by domain and intent."""
    root = data / "multidogo" / "paper_splits" / "splits_annotated_at_turn_level"
    by = {}
    for domain in sorted(p.name for p in root.iterdir()):
        for split in ("train", "dev"):
            with gzip.open(root / domain / f"{split}.tsv.gz", "rt", encoding="utf-8") as f:
                for row in csv.DictReader(f, delimiter="\t"):
                    by.setdefault((domain, row["intent"]), []).append(row["utterance"])
    return by


def write(path, intent, examples, counters, header):
    with open(path, "w", encoding="utf-8") as f:
        f.write(header)
        f.write(f"intent: {intent}\n")
        for t in examples:
            f.write(f"- {t}\n")
        if counters:
            f.write("counter:\n")
            for t in counters:
                f.write(f"- {t}\n")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", default="../shared/data", type=pathlib.Path)
    ap.add_argument("--out", default="policies/intents", type=pathlib.Path)
    args = ap.parse_args()
    data, out = args.data, args.out
    out.mkdir(parents=True, exist_ok=True)
    note = "# Written by scripts/intent_examples.py from the training parts of ../shared/data; see SOURCE.md.\n"

    handoff, nl_other = nlupp(data)
    refusals = [t for t in handoff if REFUSAL.search(t)]
    handoff = [t for t in handoff if not REFUSAL.search(t)]
    write(out / "request_person.nlupp.intents", "request_person", pick(handoff, 1000), pick(refusals, 100),
          note + "# NLU++ (CC BY 4.0): training folds 0-9, turns labelled `handoff`.\n")

    b77 = banking77(data)
    dispute = [t for name in DISPUTE_B77 for t in pick(b77[name], 90)]
    md = multidogo(data)
    md_dispute = pick(md.get(("finance", "disputecharge"), []), 150)
    write(out / "dispute_charge.banking77.intents", "dispute_charge", dispute, [],
          note + "# BANKING77 (CC BY 4.0): train.csv, " + ", ".join(DISPUTE_B77) + ".\n")
    write(out / "dispute_charge.multidogo.intents", "dispute_charge", md_dispute, [],
          note + "# MultiDoGO (CDLA-Permissive-1.0): finance train/dev turns labelled `disputecharge`.\n")

    routine = []
    for name in sorted(b77):
        if name not in PROBLEM_B77 and name not in DISPUTE_B77:
            routine += pick(b77[name], 50 if name in NEAR_DISPUTE_B77 else 10)
    write(out / "routine.banking77.intents", "routine", routine, [],
          note + "# BANKING77 (CC BY 4.0): train.csv, 10 per intent that is not a dispute or a problem, 50 for those that read like one.\n")
    clinc, oos = clinc150(data)
    routine = [t for name in sorted(clinc) for t in pick(clinc[name], 3)] + pick(oos, 60)
    write(out / "routine.clinc150.intents", "routine", routine, [],
          note + "# CLINC150 (CC BY 3.0): train/val, 3 per non-banking intent, and 60 out-of-scope.\n")
    skip = {"disputecharge", "contentonly", "outofdomain"}
    routine = []
    for (domain, intent), texts in sorted(md.items()):
        if intent not in skip:
            routine += pick(texts, 6)
    write(out / "routine.multidogo.intents", "routine", routine, [],
          note + "# MultiDoGO (CDLA-Permissive-1.0): train/dev turns, 6 per domain and intent (not disputes).\n")
    write(out / "routine.nlupp.intents", "routine", pick(nl_other, 250), [],
          note + "# NLU++ (CC BY 4.0): training folds 0-9, turns not labelled `handoff`.\n")


if __name__ == "__main__":
    main()
