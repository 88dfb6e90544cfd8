//! Tests of the VADER port against the Python reference (vaderSentiment 3.3.2).
//!
//! `tests/data/*.tsv` are produced by `scripts/vader_reference.py`.

use handoff::signals::sentiment::{compound, polarity_scores, SentimentScores};

const CASES_TSV: &str = include_str!("data/vader_cases.tsv");

/// Inverse of `escape()` in scripts/vader_reference.py.
fn unescape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('\\') => out.push('\\'),
            Some('t') => out.push('\t'),
            Some('n') => out.push('\n'),
            Some('r') => out.push('\r'),
            Some('u') => {
                assert_eq!(chars.next(), Some('{'), "bad escape in {s:?}");
                let hex: String = chars.by_ref().take_while(|&c| c != '}').collect();
                let code = u32::from_str_radix(&hex, 16).expect("hex escape");
                out.push(char::from_u32(code).expect("valid scalar value"));
            }
            other => panic!("bad escape {other:?} in {s:?}"),
        }
    }
    out
}

struct Case {
    line: usize,
    text: String,
    expected: SentimentScores,
}

fn cases() -> Vec<Case> {
    CASES_TSV
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.starts_with('#'))
        .map(|(n, l)| {
            let mut f = l.splitn(5, '\t');
            let mut num = || -> f64 { f.next().expect("field").parse().expect("float") };
            let (neg, neu, pos, compound) = (num(), num(), num(), num());
            let text = unescape(f.next().expect("text field"));
            Case { line: n + 1, text, expected: SentimentScores { neg, neu, pos, compound } }
        })
        .collect()
}

fn short(text: &str) -> String {
    let s: String = text.chars().take(80).collect();
    if s.len() < text.len() {
        format!("{s:?}...")
    } else {
        format!("{s:?}")
    }
}

#[test]
fn hand_written_cases_match_python_exactly() {
    let cases = cases();
    assert!(cases.len() >= 150, "only {} cases", cases.len());
    let mut failures = Vec::new();
    for case in &cases {
        let got = polarity_scores(&case.text);
        if got != case.expected {
            failures.push(format!(
                "line {}: {}\n    python {:?}\n    rust   {:?}",
                case.line,
                short(&case.text),
                case.expected,
                got
            ));
        }
        assert_eq!(
            compound(&case.text).to_bits(),
            got.compound.to_bits(),
            "compound() != polarity_scores().compound for {}",
            short(&case.text)
        );
    }
    assert!(failures.is_empty(), "{} of {} cases differ:\n{}", failures.len(), cases.len(), failures.join("\n"));
}

#[test]
fn readme_examples() {
    let s = polarity_scores("VADER is smart, handsome, and funny.");
    assert_eq!(s, SentimentScores { neg: 0.0, neu: 0.254, pos: 0.746, compound: 0.8316 });
    assert_eq!(compound("VADER is smart, handsome, and funny!"), 0.8439);
    assert_eq!(compound("VADER is VERY SMART, uber handsome, and FRIGGIN FUNNY!!!"), 0.9469);
    assert_eq!(compound("The book was only kind of good."), 0.3832);
    assert_eq!(compound("Today SUX!"), -0.5461);
    assert_eq!(compound("Not bad at all"), 0.431);
    let empty = polarity_scores("");
    assert_eq!(empty, SentimentScores { neg: 0.0, neu: 0.0, pos: 0.0, compound: 0.0 });
}

/// Tiny deterministic LCG (Knuth's MMIX constants).
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
        self.0 >> 33
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

#[test]
fn arbitrary_unicode_never_panics() {
    const PIECES: &[&str] = &[
        "good",
        "BAD",
        "not",
        "never",
        "so",
        "this",
        "but",
        "BUT",
        "kind",
        "of",
        "least",
        "at",
        "very",
        "no",
        "or",
        "the",
        "shit",
        "kiss",
        "death",
        "to",
        "die",
        "for",
        "without",
        "doubt",
        "isn't",
        "N'T",
        ":)",
        ":(",
        ":D",
        "!",
        "?",
        "!!!!",
        "???",
        "...",
        "'",
        "\"",
        "-",
        "--",
        "😀",
        "😡",
        "❤",
        "🇺🇸",
        "👍🏽",
        "\u{200d}",
        "\u{301}",
        "\u{0}",
        "\u{7f}",
        "\u{85}",
        "\u{a0}",
        "\u{2028}",
        "\u{3000}",
        "\u{1c}",
        "\u{feff}",
        "\u{fffd}",
        "\u{10ffff}",
        "İ",
        "K",
        "ǅ",
        "Σ",
        "ß",
        "ﬁ",
        "日本",
        "مرحبا",
        " ",
        "  ",
        "\t",
        "\n",
        "\r\n",
    ];
    let mut rng = Lcg(0x5eed);
    let mut texts: Vec<String> = vec![String::new(), " ".into(), "!".repeat(10_000)];
    for round in 0..3000 {
        let mut s = String::new();
        let len = rng.below(if round % 100 == 0 { 2000 } else { 30 });
        for _ in 0..len {
            match rng.below(4) {
                0 => {
                    // a random scalar value, biased to low planes
                    let max = [0x80, 0x800, 0x3_0000, 0x11_0000][rng.below(4)];
                    if let Some(c) = char::from_u32(rng.below(max) as u32) {
                        s.push(c);
                    }
                }
                1 => s.push_str(PIECES[rng.below(PIECES.len())]),
                _ => {
                    s.push_str(PIECES[rng.below(PIECES.len())]);
                    s.push(' ');
                }
            }
        }
        texts.push(s);
    }
    texts.push("good but ".repeat(20_000));
    for text in &texts {
        let s = polarity_scores(text);
        assert!((-1.0..=1.0).contains(&s.compound), "compound {} out of range for {}", s.compound, short(text));
        for v in [s.neg, s.neu, s.pos] {
            assert!((0.0..=1.0).contains(&v), "{s:?} for {}", short(text));
        }
        assert_eq!(compound(text).to_bits(), s.compound.to_bits());
    }
}
