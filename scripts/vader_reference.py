#!/usr/bin/env python3
"""Regenerate the VADER reference scores used by `tests/sentiment.rs`.

The Rust module `src/signals/sentiment.rs` is a port of vaderSentiment 3.3.2;
this script asks the Python original for the scores it must reproduce.

Setup (once):

    pip install vaderSentiment==3.3.2

(vaderSentiment.py only imports `requests` inside its `__main__` demo, so
`requests` is not needed here.)

Run from the repository root:

    python3 scripts/vader_reference.py [GROUND_TRUTH_DIR]

GROUND_TRUTH_DIR defaults to `../shared/data/vader-ground-truth` (relative to
the repository root) and must hold the four `*_GroundTruth.txt` files of
Hutto & Gilbert (2014): `ID<TAB>MEAN<TAB>TEXT`, UTF-8, CRLF line endings.
If it is missing, only the hand-written cases are regenerated.

Writes:

* `tests/data/vader_reference.tsv`: `corpus<TAB>id<TAB>compound` for every
  ground-truth text (compound as `repr()` prints it). The texts themselves are
  not copied; the test reads them from GROUND_TRUTH_DIR and joins on
  (corpus, id).
* `tests/data/vader_cases.tsv`: hand-written support-style texts with their
  `neg<TAB>neu<TAB>pos<TAB>compound<TAB>text`. In the text field, `\\`, tab,
  LF and CR are written `\\\\`, `\\t`, `\\n`, `\\r`, and any other control,
  separator or non-space whitespace character as `\\u{HEX}`.

Lines starting with `#` are comments. Both files are deterministic.
"""

import os
import sys
import unicodedata

from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

CORPORA = [
    "tweets",
    "movieReviewSnippets",
    "amazonReviewSnippets",
    "nytEditorialSnippets",
]

# Hand-written cases: customer-support flavoured, one or more VADER rules each.
CASES = [
    # --- empty / whitespace / no words
    "",
    " ",
    "\t\n\r ",
    "...",
    "?!",
    "!!!",
    "???",
    "12345",
    # --- plain lexicon words
    "Thanks, that fixed it.",
    "The agent was helpful and friendly.",
    "This is terrible service.",
    "My order arrived damaged.",
    "I want to talk to a human.",
    "Where is my package?",
    "ok",
    "OK",
    "good",
    "bad",
    "I love this app",
    "I hate waiting on hold",
    # --- punctuation emphasis
    "This is great!",
    "This is great!!",
    "This is great!!!!!!!!",
    "This is awful!!!",
    "Why is this still broken??",
    "Why is this still broken???",
    "Why is this still broken?????",
    "Is it good?",
    "Are you kidding me?!?!",
    "Thanks!!! But why did it take so long???",
    # --- boosters and dampeners
    "The refund was very quick.",
    "The support was extremely helpful.",
    "It is slightly annoying.",
    "The app is kinda slow.",
    "The app is kind of good.",
    "The app is sort of good.",
    "It was just enough help.",
    "This is really really bad.",
    "I am totally fed up with this.",
    "The update is marginally better.",
    "The fucking app crashed again",
    "It is hardly working",
    "It is sorta okay I guess",
    "The wait was kind-of long but fine",
    # --- ALL CAPS emphasis
    "This is TERRIBLE service.",
    "THIS IS TERRIBLE SERVICE.",
    "I am VERY angry about this.",
    "I am VERY ANGRY about this.",
    "NO refund was ever sent",
    "WORST. SUPPORT. EVER.",
    "Great job guys, REALLY GREAT",
    "cancel my account NOW",
    # --- negation
    "The agent was not helpful.",
    "This isn't good at all.",
    "I am not unhappy with the result.",
    "It doesn't work.",
    "I never received my refund.",
    "Nobody helped me and nothing works.",
    "The fix did not solve the problem, it is not great.",
    "It wasnt bad",
    "I cant say I am happy",
    "It ain't good",
    "Without a doubt, excellent help.",
    "Without a doubt, an excellent idea.",
    "Not such a great experience after all.",
    "I have not been this happy in years",
    "Not bad at all",
    "none of this is helpful",
    "They rarely answer and seldom help",
    "I'm happy despite the delay",
    "No problem",
    "no good",
    "no",
    "No help, no answer, no refund.",
    "There is no way this is acceptable",
    "no refund or apology",
    "no refund nor apology",
    "no reply or help",
    "nope, not happy",
    # --- "never so" / "never this"
    "Support has never been so good.",
    "Support has never been this good!",
    "Support has never been good.",
    "The app has never so much as worked",
    "This is so bad",
    "So happy with this",
    # --- "least"
    "At least it isn't a horrible product.",
    "This is the least helpful chat ever.",
    "Very least helpful",
    "least helpful",
    "the least bad option",
    # --- "but"
    "The product is great but the support is awful.",
    "The support is awful but the product is great.",
    "I like the app, but it crashes constantly.",
    "Good idea but bad execution but nice try",
    "nice nice but nice",
    "great good but good great",
    "BUT it works",
    "but",
    "good, but",
    "bad bad bad but bad good bad",
    # --- idioms and special cases
    "This product is the shit",
    "This product is the bomb!",
    "The new feature is bad ass",
    "The new feature is badass",
    "Yeah right, like that will happen",
    "That delay was the kiss of death for my order",
    "That dessert is to die for",
    "I waited at the bus stop for hours",
    "My beating heart could not take it",
    "They cut the mustard",
    "We are in the red this month",
    "you are kind",
    "kind of you",
    "the kind of help I needed",
    # --- emoticons and emojis
    ":)",
    ":(",
    ":-)",
    ":D",
    "Thanks :)",
    "Thanks :) :)",
    "Still waiting :(",
    "Make sure you :) or :D today!",
    "Great service 😀",
    "Terrible service 😡",
    "😀",
    "😀😀",
    "😡😡😡",
    "thanks😀great",
    "Catch utf-8 emoji such as 💘 and 💋 and 😁",
    "Refund on the way 🔛",
    "Account level 🆙!",
    "👍",
    "👎 not good",
    "I ❤ this",
    "I ❤️ this",
    "\U0001F44D\U0001F3FD nice",
    "🇺🇸 flag",
    "😂😂😂 this is hilarious",
    # --- punctuation stripping and tokenisation
    "(great)",
    "'good'",
    "good!!!",
    "--bad--",
    "xo",
    "\"ok\"",
    "LOL!!!",
    "lol",
    "wtf is this",
    "It's... fine.",
    "happy-go-lucky",
    "can't stand this",
    "fed up",
    "good\tbad",
    "good\nbad",
    "good\u00a0bad",
    "good\u2003bad",
    "good\u3000bad",
    "good\u001cbad",
    "good\u200bbad",
    "good\u0085bad",
    # --- unicode
    "Très bien, merci",
    "Das ist gut",
    "ГОСТИНИЦА плохая",
    "ΣΊΣΥΦΟΣ is not happy",
    "The \u212aILL switch",
    "\u0130NCREDIBLE SUPPORT",
    "ǅemal is happy",
    "ﬁne service",
    "cafe\u0301 was good",
    "e\u0301\u0301\u0301 great",
    "日本語のテキスト good",
    "مرحبا great",
    # --- mixed realistic messages
    "I have been waiting for two weeks and my refund still has not arrived, this is ridiculous",
    "Hi, I need help resetting my password please",
    "Thank you so much, you have been incredibly helpful!",
    "This is the third time I am contacting you and nobody has fixed my issue",
    "Can I speak to a manager? This bot is useless.",
    "The delivery was late but the driver was very polite.",
    "I'm not angry, just disappointed.",
    "Your app keeps crashing and I lost all my data!!!",
    "Honestly the best customer service I have ever had",
    "Meh, it's okay I suppose",
    "I want my money back NOW!!!",
    "Please cancel my subscription, I am extremely unhappy with the service.",
    "The chatbot didn't understand my question at all",
    "Good morning! Quick question about my invoice",
    "lol this is so broken haha",
    "I am so so so frustrated",
    "Worst experience ever, never ordering again",
    "Not happy. Not happy at all!",
    "This is fine. Totally fine. Everything is fine.",
    "I'm kind of disappointed but the agent was nice",
    "Absolutely love the new update, great work!",
    "The package was stolen and no one will help me",
    "You guys are awesome :)",
    "I'd rather not say",
    "Is there a human I can talk to??",
    "URGENT: my account was hacked",
    "please help",
    "HELP",
    "help me please!!!",
    "thanks but no thanks",
    "It works now, thanks for nothing",
]

# Long texts (exercise the O(n log n) "but" path for > 256 tokens).
_LONG_A = " ".join(
    ["The service was good but slow.", "Great help!", "bad bad", "not good", "VERY nice", ":)"] * 60
)
_LONG_B = "but " + " ".join(["good", "great", "nice", "bad", "awful", "ok"] * 200)
_LONG_C = " ".join(["happy"] * 300) + " but " + " ".join(["sad"] * 300) + " 😀" * 50
_LONG_D = "word " * 5000 + "good"
CASES += [_LONG_A, _LONG_B, _LONG_C, _LONG_D]


def escape(text):
    out = []
    for ch in text:
        if ch == "\\":
            out.append("\\\\")
        elif ch == "\t":
            out.append("\\t")
        elif ch == "\n":
            out.append("\\n")
        elif ch == "\r":
            out.append("\\r")
        elif ch != " " and (ch.isspace() or unicodedata.category(ch) in ("Cc", "Zl", "Zp", "Zs", "Cf")):
            out.append("\\u{%x}" % ord(ch))
        else:
            out.append(ch)
    return "".join(out)


def read_ground_truth(path):
    """Yield (id, text) like the Rust test: split on LF, drop one trailing CR."""
    with open(path, encoding="utf-8", newline="") as f:
        data = f.read()
    if data.startswith("\ufeff"):
        data = data[1:]
    for line in data.split("\n"):
        if line.endswith("\r"):
            line = line[:-1]
        if not line:
            continue
        fields = line.split("\t", 2)
        if len(fields) != 3:
            raise ValueError("%s: malformed line %r" % (path, line[:80]))
        yield fields[0], fields[2]


def main():
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    gt_dir = sys.argv[1] if len(sys.argv) > 1 else os.path.join(root, "..", "shared", "data", "vader-ground-truth")
    out_dir = os.path.join(root, "tests", "data")
    os.makedirs(out_dir, exist_ok=True)
    try:
        from importlib.metadata import version as dist_version

        version = dist_version("vaderSentiment")
    except Exception:  # noqa: BLE001 - metadata is informative only
        version = None
    if version not in (None, "3.3.2"):
        print("warning: vaderSentiment %s installed, the reference is 3.3.2" % version, file=sys.stderr)
    analyzer = SentimentIntensityAnalyzer()

    with open(os.path.join(out_dir, "vader_cases.tsv"), "w", encoding="utf-8", newline="\n") as f:
        f.write("# Generated by scripts/vader_reference.py from vaderSentiment 3.3.2 -- do not edit.\n")
        f.write("# neg<TAB>neu<TAB>pos<TAB>compound<TAB>text (text escaped: \\\\ \\t \\n \\r \\u{HEX})\n")
        for text in CASES:
            s = analyzer.polarity_scores(text)
            f.write("%r\t%r\t%r\t%r\t%s\n" % (s["neg"], s["neu"], s["pos"], s["compound"], escape(text)))
    print("wrote %d cases" % len(CASES))

    if not os.path.isdir(gt_dir):
        print("ground truth directory %s not found; vader_reference.tsv left unchanged" % gt_dir)
        return
    with open(os.path.join(out_dir, "vader_reference.tsv"), "w", encoding="utf-8", newline="\n") as f:
        f.write("# Generated by scripts/vader_reference.py from vaderSentiment 3.3.2 -- do not edit.\n")
        f.write("# corpus<TAB>id<TAB>compound, texts from <corpus>_GroundTruth.txt (Hutto & Gilbert 2014)\n")
        for corpus in CORPORA:
            n = 0
            for ident, text in read_ground_truth(os.path.join(gt_dir, corpus + "_GroundTruth.txt")):
                f.write("%s\t%s\t%r\n" % (corpus, ident, analyzer.polarity_scores(text)["compound"]))
                n += 1
            print("%s: %d texts" % (corpus, n))
    print("vaderSentiment version: %s" % version)


if __name__ == "__main__":
    main()
