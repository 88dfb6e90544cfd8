"""A hand-written pure-Python version of a rule set comparable to policies/payments.handoff:
the same phrase lists for the main rules (whole words, case-insensitive, a simple
negation check for asking for a person), the unrecognised-payment pattern, bot
fallbacks and loops, repeated customer messages (difflib), sentiment from the messages'
annotations, and the strongest-action-first-rule conflict resolution. It is what a team
would write by hand instead of a policy, for the speed comparison only: no word forms,
typo tolerance, business hours, evidence or explanation.
"""

import difflib
import json
import re


def words(phrases):
    return re.compile(r"\b(?:" + "|".join(re.escape(p) for p in phrases) + r")\b", re.I)


PERSON = words([
    "human", "real person", "a person", "an agent", "live agent", "human agent", "real agent",
    "representative", "speak to someone", "talk to someone", "speak to somebody", "talk to somebody",
    "operator", "speak to a manager", "call me back", "speak with someone", "talk with someone",
    "chat with someone", "contact someone", "live person", "human being", "with agent",
])
NEGATED = re.compile(r"\b(?:no|not|don'?t|do not|never|without)\b[^.!?]{0,20}$", re.I)
DISPUTE = words(["dispute", "chargeback", "charge back", "didn't authorise", "didn't authorize", "did not authorise",
                 "did not authorize", "unauthorised", "unauthorized", "never made this payment",
                 "don't recognise this", "don't recognize this", "charged twice", "double charged"])
UNRECOGNISED = re.compile(
    r"\b(payments?|charges?|transactions?|purchases?|debits?)\b[^.!?]{0,40}\b(i|me)\b[^.!?]{0,20}\b(didn'?t|did not|never|don'?t|do not)\s+(make|do|perform|recogni[sz]e|authori[sz]e|approve|buy)\b"
    r"|\b(don'?t|do not|can'?t|cannot)\s+recogni[sz]e\b|\b(strange|unknown|unusual|unfamiliar|suspicious|weird)\s+(card\s+)?(payments?|charges?|transactions?|merchant|purchases?)\b"
    r"|\bcharged\s+(twice|two times|more than once)\b|\bduplicate\s+(charges?|payments?|transactions?)\b|\b(not|wasn'?t)\s+(done|made)\s+by\s+me\b",
    re.I,
)
FRAUD = words(["fraud", "stolen card", "card was stolen", "card has been stolen", "hacked",
               "someone logged into my account", "someone else logged in", "phishing", "scam", "scammed",
               "account takeover", "suspicious transaction", "suspicious login"])
HARDSHIP = words(["can't afford", "cannot afford", "lost my job", "payment plan", "struggling to pay",
                  "debt", "arrears", "missed payment", "hardship"])
VULNERABLE = words(["bereavement", "passed away", "died", "funeral", "suicide", "self harm", "carer",
                    "disability", "disabled", "hospital", "terminal"])
REFUND = words(["refund", "money back", "reimburse", "reimbursement"])
TECH = words(["app", "website", "login", "log in", "password", "crash", "crashes", "error", "two factor"])
FALLBACK = re.compile(r"\b(didn'?t|did not|don'?t) (understand|get that|follow)\b|\brephrase\b", re.I)

STRENGTH = {"none": 0, "flag": 1, "offer": 2, "escalate": 3}


def similar(a, b, threshold):
    return difflib.SequenceMatcher(None, a.lower(), b.lower()).ratio() >= threshold


def decide(conversation):
    """The decision for one conversation (a dict), as action, queue, rule and message."""
    customer, bot, fired = [], [], []
    tier = conversation.get("customer", {}).get("tier")
    for n, message in enumerate(conversation["messages"], start=1):
        text = message["text"]
        if message["role"] == "customer":
            customer.append(message)
        elif message["role"] == "bot":
            bot.append(message)
        if not customer:
            continue
        seen = " ".join(m["text"] for m in customer)
        last = customer[-1]["text"]
        match = PERSON.search(last)
        asked = bool(match and not NEGATED.search(last[: match.start()]))
        mood = [m.get("sentiment", 0.0) for m in customer[-2:]]
        rules = [
            ("fraud", "escalate", "fraud", FRAUD.search(seen)),
            ("vulnerable_customer", "escalate", "vulnerable", VULNERABLE.search(seen)),
            ("premium_request", "escalate", "vip",
             tier in ("gold", "platinum") and (asked or (len(mood) == 2 and sum(mood) / 2 <= -0.5))),
            ("dispute", "escalate", "disputes", DISPUTE.search(seen) or UNRECOGNISED.search(seen)),
            ("hardship", "escalate", "collections", HARDSHIP.search(seen)),
            ("human_on_request", "escalate", "general", asked),
            ("refund_stuck", "escalate", "refunds", REFUND.search(seen) and len(customer) >= 3),
            ("app_trouble", "escalate", "tech", TECH.search(seen) and len(customer) >= 3),
            ("not_understood", "escalate", "general",
             sum(1 for m in bot[-6:] if FALLBACK.search(m["text"])) >= 2),
            ("bot_loop", "escalate", "general",
             any(similar(a["text"], b["text"], 0.85) for i, a in enumerate(bot[-6:]) for b in bot[-6:][i + 1:])),
            ("customer_repeating", "escalate", "general",
             sum(1 for m in customer[-4:-1] if similar(m["text"], last, 0.8)) >= 2),
            ("frustration", "offer", "general", len(mood) == 2 and sum(mood) / 2 <= -0.5),
        ]
        for name, action, queue, when in rules:
            if when and name not in {f[0] for f in fired}:
                fired.append((name, action, queue, n))
        best = max(fired, key=lambda f: STRENGTH[f[1]], default=None)
        if best and best[1] == "escalate":
            break
    if not fired:
        return {"action": "none"}
    best = max(fired, key=lambda f: STRENGTH[f[1]])
    return {"action": best[1], "queue": best[2], "rule": best[0], "at_message": best[3]}


def decide_json(text):
    return decide(json.loads(text))
