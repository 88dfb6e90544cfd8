//! VADER sentiment analysis: a faithful, allocation-light port of
//! `vaderSentiment` 3.3.2 (Hutto & Gilbert, ICWSM 2014).
//!
//! [`polarity_scores`] returns the same `neg`/`neu`/`pos`/`compound` numbers as
//! `SentimentIntensityAnalyzer().polarity_scores(text)` from the Python package,
//! bit for bit in practice: every rule of the reference is reproduced, including
//! its quirks (the `"but"` rule's value-based `list.index` lookup, the
//! `"so"`/`"this"` precedence slip in the three-words-back negation check, the
//! emoji descriptions glued to the following text, the `len <= 2` punctuation
//! stripping rule, Python's whitespace set and `str.isupper`/`str.lower`, and
//! `round()`'s correctly rounded half-even decimal rounding).
//!
//! The only known source of divergence is Unicode data: Python 3.11 uses
//! Unicode 14 for `isupper`/`lower`, this module uses the Unicode tables of the
//! Rust toolchain, so letters added to Unicode after version 14 may be treated
//! differently in the ALL-CAPS emphasis rule.
//!
//! The lexicons `vader_lexicon.txt` and `emoji_utf8_lexicon.txt` next to this
//! file are copied unchanged from the `vaderSentiment` 3.3.2 package
//! (<https://github.com/cjhutto/vaderSentiment>, MIT licence, (c) 2016 C.J. Hutto);
//! they are embedded with `include_str!` and parsed once on first use.
//!
//! The functions never panic: any `&str` (empty, arbitrary Unicode, very
//! large) is accepted, and `compound` is always within `[-1, 1]`.

use std::collections::HashMap;
use std::sync::LazyLock;

/// The four VADER scores of a text, rounded exactly as the Python reference
/// rounds them (`neg`, `neu`, `pos` to 3 decimals, `compound` to 4).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SentimentScores {
    /// Proportion of the text that is negative, in `[0, 1]`.
    pub neg: f64,
    /// Proportion of the text that is neutral, in `[0, 1]`.
    pub neu: f64,
    /// Proportion of the text that is positive, in `[0, 1]`.
    pub pos: f64,
    /// Normalised, weighted composite score in `[-1, 1]`.
    pub compound: f64,
}

/// Scores `text` like `vaderSentiment` 3.3.2's `polarity_scores`.
pub fn polarity_scores(text: &str) -> SentimentScores {
    analyse(text, true)
}

/// The compound score of `text`; equal to `polarity_scores(text).compound`.
pub fn compound(text: &str) -> f64 {
    analyse(text, false).compound
}

// ---------------------------------------------------------------------------
// Constants of the reference implementation.

const B_INCR: f64 = 0.293;
const B_DECR: f64 = -0.293;
const C_INCR: f64 = 0.733;
const N_SCALAR: f64 = -0.74;
const ALPHA: f64 = 15.0;

const LEXICON_TXT: &str = include_str!("vader_lexicon.txt");
const EMOJI_TXT: &str = include_str!("emoji_utf8_lexicon.txt");

#[path = "sentiment_words.rs"]
mod words;
use words::{BOOSTERS, NEGATE};

/// Words that individual rules compare against (lower-cased tokens).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum W {
    Other,
    No,
    Kind,
    Of,
    Least,
    At,
    Very,
    Never,
    So,
    This,
    Without,
    Doubt,
    Or,
    Nor,
    But,
    The,
    Shit,
    Bomb,
    Bad,
    Ass,
    Bus,
    Stop,
    Yeah,
    Right,
    Kiss,
    Death,
    To,
    Die,
    For,
    Beating,
    Heart,
    Just,
    Enough,
    Sort,
}

const WORDS: [(&str, W); 33] = [
    ("no", W::No),
    ("kind", W::Kind),
    ("of", W::Of),
    ("least", W::Least),
    ("at", W::At),
    ("very", W::Very),
    ("never", W::Never),
    ("so", W::So),
    ("this", W::This),
    ("without", W::Without),
    ("doubt", W::Doubt),
    ("or", W::Or),
    ("nor", W::Nor),
    ("but", W::But),
    ("the", W::The),
    ("shit", W::Shit),
    ("bomb", W::Bomb),
    ("bad", W::Bad),
    ("ass", W::Ass),
    ("bus", W::Bus),
    ("stop", W::Stop),
    ("yeah", W::Yeah),
    ("right", W::Right),
    ("kiss", W::Kiss),
    ("death", W::Death),
    ("to", W::To),
    ("die", W::Die),
    ("for", W::For),
    ("beating", W::Beating),
    ("heart", W::Heart),
    ("just", W::Just),
    ("enough", W::Enough),
    ("sort", W::Sort),
];

/// `SPECIAL_CASES` two-word keys.
fn special_case2(a: W, b: W) -> Option<f64> {
    match (a, b) {
        (W::The, W::Shit) | (W::The, W::Bomb) => Some(3.0),
        (W::Bad, W::Ass) => Some(1.5),
        (W::Bus, W::Stop) => Some(0.0),
        (W::Yeah, W::Right) => Some(-2.0),
        (W::Beating, W::Heart) => Some(3.5),
        _ => None,
    }
}

/// `SPECIAL_CASES` three-word keys.
fn special_case3(a: W, b: W, c: W) -> Option<f64> {
    match (a, b, c) {
        (W::Kiss, W::Of, W::Death) => Some(-1.5),
        (W::To, W::Die, W::For) => Some(3.0),
        _ => None,
    }
}

/// Multi-word `BOOSTER_DICT` keys ("just enough", "kind of", "sort of").
fn booster_bigram(a: W, b: W) -> Option<f64> {
    match (a, b) {
        (W::Just, W::Enough) | (W::Kind, W::Of) | (W::Sort, W::Of) => Some(B_DECR),
        _ => None,
    }
}

// ---------------------------------------------------------------------------
// Tables, built once.

/// Everything the rules need to know about one lower-cased word, kept small
/// (16 bytes) so that the table stays cache friendly.
#[derive(Debug, Clone, Copy)]
struct Entry {
    /// Lexicon valence, NaN when the word is not in the lexicon.
    lex: f64,
    /// Booster: 1 for `B_INCR`, -1 for `B_DECR`, 0 when not a booster.
    booster: i8,
    negate: bool,
    word: W,
}

const EMPTY_ENTRY: Entry = Entry { lex: f64::NAN, booster: 0, negate: false, word: W::Other };

impl Entry {
    #[inline]
    fn lex(self) -> Option<f64> {
        if self.lex.is_nan() {
            None
        } else {
            Some(self.lex)
        }
    }

    #[inline]
    fn booster(self) -> Option<f64> {
        match self.booster {
            1 => Some(B_INCR),
            -1 => Some(B_DECR),
            _ => None,
        }
    }
}

type FxBuild = rustc_hash::FxBuildHasher;

struct Tables {
    words: HashMap<&'static str, Entry, FxBuild>,
    emojis: HashMap<char, Emoji, FxBuild>,
    /// Whether some emoji key is an ASCII character (not the case in 3.3.2).
    ascii_emoji: bool,
}

#[derive(Debug, Clone, Copy)]
struct Emoji {
    description: &'static str,
}

/// Python's `str.isspace` / `str.split()` / `str.strip()` whitespace: Unicode
/// White_Space plus the ASCII separators U+001C..U+001F.
#[inline]
fn is_py_space(c: char) -> bool {
    c.is_whitespace() || ('\u{1c}'..='\u{1f}').contains(&c)
}

#[inline]
const fn is_py_space_byte(b: u8) -> bool {
    matches!(b, b'\t' | b'\n' | 0x0b | 0x0c | b'\r' | 0x1c..=0x1f | b' ')
}

/// Lines as `text.rstrip('\n').split('\n')`, each `strip()`ped, split on tabs.
fn table_lines(text: &'static str) -> impl Iterator<Item = (&'static str, &'static str)> {
    text.trim_end_matches('\n').split('\n').filter_map(|line| {
        let mut fields = line.trim_matches(is_py_space).split('\t');
        let key = fields.next()?;
        let value = fields.next()?;
        Some((key, value))
    })
}

static TABLES: LazyLock<Tables> = LazyLock::new(|| {
    let mut words: HashMap<&'static str, Entry, FxBuild> = HashMap::with_capacity_and_hasher(8192, FxBuild::default());
    for (word, measure) in table_lines(LEXICON_TXT) {
        if let Ok(v) = measure.trim_matches(is_py_space).parse::<f64>() {
            if !v.is_nan() {
                words.entry(word).or_insert(EMPTY_ENTRY).lex = v;
            }
        }
    }
    for (word, v) in BOOSTERS {
        words.entry(word).or_insert(EMPTY_ENTRY).booster = if v > 0.0 { 1 } else { -1 };
    }
    for word in NEGATE {
        words.entry(word).or_insert(EMPTY_ENTRY).negate = true;
    }
    for (word, w) in WORDS {
        words.entry(word).or_insert(EMPTY_ENTRY).word = w;
    }
    let mut emojis: HashMap<char, Emoji, FxBuild> = HashMap::with_capacity_and_hasher(4096, FxBuild::default());
    let mut ascii_emoji = false;
    for (key, description) in table_lines(EMOJI_TXT) {
        // `polarity_scores` looks up one code point at a time, so only
        // single-code-point keys can ever match.
        let mut chars = key.chars();
        if let (Some(c), None) = (chars.next(), chars.next()) {
            ascii_emoji |= c.is_ascii();
            emojis.insert(c, Emoji { description });
        }
    }
    Tables { words, emojis, ascii_emoji }
});

// ---------------------------------------------------------------------------
// Tokens.

#[derive(Debug, Clone, Copy)]
struct Tok {
    lex: Option<f64>,
    booster: Option<f64>,
    /// `negated([word])`: in `NEGATE` or contains "n't".
    negated: bool,
    /// `word.isupper()` on the original-case token.
    upper: bool,
    word: W,
}

/// Title-case letters (general category Lt), which make `str.isupper` false.
fn is_titlecase(c: char) -> bool {
    matches!(
        c,
        '\u{1c5}'
            | '\u{1c8}'
            | '\u{1cb}'
            | '\u{1f2}'
            | '\u{1f88}'..='\u{1f8f}'
            | '\u{1f98}'..='\u{1f9f}'
            | '\u{1fa8}'..='\u{1faf}'
            | '\u{1fbc}'
            | '\u{1fcc}'
            | '\u{1ffc}'
    )
}

/// Python's `str.isupper`.
fn py_isupper(s: &str) -> bool {
    let mut cased = false;
    for c in s.chars() {
        if c.is_lowercase() || is_titlecase(c) {
            return false;
        }
        if c.is_uppercase() {
            cased = true;
        }
    }
    cased
}

/// `SentiText._strip_punc_if_word`.
#[inline]
fn strip_punc_if_word(token: &str) -> &str {
    let stripped = token.trim_matches(|c: char| c.is_ascii_punctuation());
    // Compare the number of code points with 2 (a code point is 1..=4 bytes).
    let short = match stripped.len() {
        0..=2 => true,
        3..=8 => stripped.chars().nth(2).is_none(),
        _ => false,
    };
    if short {
        token
    } else {
        stripped
    }
}

/// Per-call scratch state.
#[derive(Default)]
struct Scratch {
    toks: Vec<Tok>,
    /// Lower-casing buffer for ASCII tokens longer than 32 bytes.
    lower: String,
}

impl Scratch {
    /// Adds the token `raw` (a non-empty piece of `text.split()`).
    fn push_token(&mut self, tables: &Tables, raw: &str) {
        if raw.is_ascii() {
            let flags = raw.bytes().fold(0, |f, b| f | class(b));
            self.push_ascii(tables, raw, flags);
            return;
        }
        let token = strip_punc_if_word(raw);
        let lower = token.to_lowercase();
        let entry = tables.words.get(lower.as_str()).copied().unwrap_or(EMPTY_ENTRY);
        self.toks.push(Tok {
            lex: entry.lex(),
            booster: entry.booster(),
            negated: entry.negate || lower.contains("n't"),
            upper: py_isupper(token),
            word: entry.word,
        });
    }

    /// Adds an ASCII token (a non-empty piece of `text.split()`) whose bytes
    /// have the classes `flags` or-ed together.
    #[inline]
    fn push_ascii(&mut self, tables: &Tables, raw: &str, flags: u8) {
        let token = if flags & PUNCT == 0 { raw } else { strip_punc_ascii(raw) };
        // Edge punctuation has no case, so `flags` tells the case of `token`
        // too; APOSTROPHE is only a pre-filter for the "n't" search.
        let has_upper = flags & UPPER != 0;
        let mut buf = [0u8; 32];
        let lower: &str = if !has_upper {
            token
        } else if let Some(dst) = buf.get_mut(..token.len()) {
            dst.copy_from_slice(token.as_bytes());
            dst.make_ascii_lowercase();
            std::str::from_utf8(dst).unwrap_or(token)
        } else {
            self.lower.clear();
            self.lower.push_str(token);
            self.lower.make_ascii_lowercase();
            &self.lower
        };
        let entry = tables.words.get(lower).copied().unwrap_or(EMPTY_ENTRY);
        let negated = entry.negate || (flags & APOSTROPHE != 0 && lower.contains("n't"));
        self.toks.push(Tok {
            lex: entry.lex(),
            booster: entry.booster(),
            negated,
            upper: has_upper && flags & LOWER == 0,
            word: entry.word,
        });
    }

    /// `text.split()` followed by `_strip_punc_if_word` on each piece;
    /// returns the numbers of '!' and '?' in `text`.
    fn tokenize(&mut self, tables: &Tables, text: &str) -> (usize, usize) {
        if !text.is_ascii() {
            for raw in text.split(is_py_space) {
                if !raw.is_empty() {
                    self.push_token(tables, raw);
                }
            }
            // UTF-8 continuation bytes are never ASCII.
            let ep = text.bytes().filter(|&b| b == b'!').count();
            let qm = text.bytes().filter(|&b| b == b'?').count();
            return (ep, qm);
        }
        // ASCII: every byte is a character.
        let bytes = text.as_bytes();
        let (mut ep, mut qm) = (0usize, 0usize);
        let mut i = 0;
        loop {
            while let Some(&b) = bytes.get(i) {
                if class(b) & SPACE == 0 {
                    break;
                }
                i += 1;
            }
            if i >= bytes.len() {
                break;
            }
            let start = i;
            let mut flags = 0u8;
            while let Some(&b) = bytes.get(i) {
                let c = class(b);
                if c & SPACE != 0 {
                    break;
                }
                flags |= c;
                ep += usize::from(b == b'!');
                qm += usize::from(b == b'?');
                i += 1;
            }
            if let Some(raw) = text.get(start..i) {
                self.push_ascii(tables, raw, flags);
            }
        }
        (ep, qm)
    }
}

const SPACE: u8 = 1;
const PUNCT: u8 = 2;
const UPPER: u8 = 4;
const LOWER: u8 = 8;
const APOSTROPHE: u8 = 16;

/// Byte classes for the ASCII fast path.
static CLASS: [u8; 256] = byte_classes();

#[allow(clippy::indexing_slicing)] // const evaluation, `i < 256`
const fn byte_classes() -> [u8; 256] {
    let mut table = [0u8; 256];
    let mut i = 0;
    while i < 256 {
        let b = i as u8;
        let mut c = 0;
        if is_py_space_byte(b) {
            c |= SPACE;
        }
        if b.is_ascii_punctuation() {
            c |= PUNCT;
        }
        if b.is_ascii_uppercase() {
            c |= UPPER;
        }
        if b.is_ascii_lowercase() {
            c |= LOWER;
        }
        if b == b'\'' {
            c |= APOSTROPHE;
        }
        table[i] = c;
        i += 1;
    }
    table
}

#[inline]
fn class(b: u8) -> u8 {
    CLASS.get(usize::from(b)).copied().unwrap_or(0)
}

/// `_strip_punc_if_word` for an ASCII token (bytes are characters).
#[inline]
fn strip_punc_ascii(token: &str) -> &str {
    let bytes = token.as_bytes();
    let Some(start) = bytes.iter().position(|&b| class(b) & PUNCT == 0) else {
        return token;
    };
    let end = bytes.iter().rposition(|&b| class(b) & PUNCT == 0).map_or(start, |p| p + 1);
    if end - start <= 2 {
        token
    } else {
        token.get(start..end).unwrap_or(token)
    }
}

// ---------------------------------------------------------------------------
// The rules.

#[inline]
fn tok(toks: &[Tok], i: usize) -> Tok {
    toks.get(i).copied().unwrap_or(Tok { lex: None, booster: None, negated: false, upper: false, word: W::Other })
}

/// `scalar_inc_dec`.
#[inline]
fn scalar_inc_dec(word: Tok, valence: f64, is_cap_diff: bool) -> f64 {
    let Some(b) = word.booster else {
        return 0.0;
    };
    let mut scalar = b;
    if valence < 0.0 {
        scalar *= -1.0;
    }
    if word.upper && is_cap_diff {
        if valence > 0.0 {
            scalar += C_INCR;
        } else {
            scalar -= C_INCR;
        }
    }
    scalar
}

#[inline]
fn so_or_this(w: W) -> bool {
    w == W::So || w == W::This
}

/// `_negation_check` (callers guarantee `i > start_i`).
fn negation_check(mut valence: f64, toks: &[Tok], start_i: usize, i: usize) -> f64 {
    match start_i {
        0 => {
            if tok(toks, i - 1).negated {
                valence *= N_SCALAR;
            }
        }
        1 => {
            let (w2, w1) = (tok(toks, i - 2), tok(toks, i - 1));
            if w2.word == W::Never && so_or_this(w1.word) {
                valence *= 1.25;
            } else if w2.word == W::Without && w1.word == W::Doubt {
            } else if w2.negated {
                valence *= N_SCALAR;
            }
        }
        _ => {
            let (w3, w2, w1) = (tok(toks, i - 3), tok(toks, i - 2), tok(toks, i - 1));
            // Python: `a and b or c` is `(a and b) or c`.
            if (w3.word == W::Never && so_or_this(w2.word)) || so_or_this(w1.word) {
                valence *= 1.25;
            } else if w3.word == W::Without && (w2.word == W::Doubt || w1.word == W::Doubt) {
            } else if w3.negated {
                valence *= N_SCALAR;
            }
        }
    }
    valence
}

/// `_special_idioms_check` (callers guarantee `i >= 3`).
fn special_idioms_check(mut valence: f64, toks: &[Tok], i: usize) -> f64 {
    let w = |k: usize| tok(toks, k).word;
    let (w3, w2, w1, w0) = (w(i - 3), w(i - 2), w(i - 1), w(i));
    let found = special_case2(w1, w0) // onezero
        .or_else(|| special_case3(w2, w1, w0)) // twoonezero
        .or_else(|| special_case2(w2, w1)) // twoone
        .or_else(|| special_case3(w3, w2, w1)) // threetwoone
        .or_else(|| special_case2(w3, w2)); // threetwo
    if let Some(v) = found {
        valence = v;
    }
    let n = toks.len();
    if n - 1 > i {
        if let Some(v) = special_case2(w0, w(i + 1)) {
            valence = v;
        }
    }
    if n - 1 > i + 1 {
        if let Some(v) = special_case3(w0, w(i + 1), w(i + 2)) {
            valence = v;
        }
    }
    // threetwoone can never be a (two-word) booster key.
    if let Some(b) = booster_bigram(w3, w2) {
        valence += b;
    }
    if let Some(b) = booster_bigram(w2, w1) {
        valence += b;
    }
    valence
}

/// `_least_check`. ("least" is not in the lexicon.)
#[inline]
fn least_check(mut valence: f64, toks: &[Tok], i: usize) -> f64 {
    if i > 1 && tok(toks, i - 1).word == W::Least {
        let w2 = tok(toks, i - 2).word;
        if w2 != W::At && w2 != W::Very {
            valence *= N_SCALAR;
        }
    } else if i > 0 && tok(toks, i - 1).word == W::Least {
        valence *= N_SCALAR;
    }
    valence
}

/// `sentiment_valence` for a token that is not a booster.
fn sentiment_valence(toks: &[Tok], i: usize, is_cap_diff: bool) -> f64 {
    let item = tok(toks, i);
    let Some(lex) = item.lex else {
        return 0.0;
    };
    let n = toks.len();
    let mut valence = lex;
    if item.word == W::No && i != n - 1 && tok(toks, i + 1).lex.is_some() {
        valence = 0.0;
    }
    if (i > 0 && tok(toks, i - 1).word == W::No)
        || (i > 1 && tok(toks, i - 2).word == W::No)
        || (i > 2 && tok(toks, i - 3).word == W::No && matches!(tok(toks, i - 1).word, W::Or | W::Nor))
    {
        valence = lex * N_SCALAR;
    }
    if item.upper && is_cap_diff {
        if valence > 0.0 {
            valence += C_INCR;
        } else {
            valence -= C_INCR;
        }
    }
    for start_i in 0..3 {
        if i > start_i {
            let prev = tok(toks, i - (start_i + 1));
            if prev.lex.is_none() {
                let mut s = scalar_inc_dec(prev, valence, is_cap_diff);
                if start_i == 1 && s != 0.0 {
                    s *= 0.95;
                }
                if start_i == 2 && s != 0.0 {
                    s *= 0.9;
                }
                valence += s;
                valence = negation_check(valence, toks, start_i, i);
                if start_i == 2 {
                    valence = special_idioms_check(valence, toks, i);
                }
            }
        }
    }
    least_check(valence, toks, i)
}

/// `_but_check`, reproducing the reference's `sentiments.index(sentiment)`
/// (first element *equal in value*) rather than the position being visited.
fn but_check(toks: &[Tok], sentiments: &mut [f64]) {
    let Some(bi) = toks.iter().position(|t| t.word == W::But) else {
        return;
    };
    if sentiments.len() <= 256 {
        for k in 0..sentiments.len() {
            let value = sentiments.get(k).copied().unwrap_or(0.0);
            // Zeros stay zeros whatever happens to them.
            if value == 0.0 {
                continue;
            }
            let si = sentiments.iter().position(|&s| s == value).unwrap_or(k);
            scale_at(sentiments, si, bi, value);
        }
    } else {
        but_check_indexed(bi, sentiments);
    }
}

#[inline]
fn scale_at(sentiments: &mut [f64], si: usize, bi: usize, value: f64) {
    if let Some(slot) = sentiments.get_mut(si) {
        if si < bi {
            *slot = value * 0.5;
        } else if si > bi {
            *slot = value * 1.5;
        }
    }
}

/// Same as the linear version of [`but_check`] in O(n log n), for long texts.
/// Values here are finite and non-zero, so `==` is equality of bit patterns.
fn but_check_indexed(bi: usize, sentiments: &mut [f64]) {
    use std::collections::BTreeSet;
    let mut positions: HashMap<u64, BTreeSet<usize>> = HashMap::new();
    for (j, &s) in sentiments.iter().enumerate() {
        if s != 0.0 {
            positions.entry(s.to_bits()).or_default().insert(j);
        }
    }
    for k in 0..sentiments.len() {
        let value = sentiments.get(k).copied().unwrap_or(0.0);
        if value == 0.0 {
            continue;
        }
        let si = positions.get(&value.to_bits()).and_then(|set| set.first().copied()).unwrap_or(k);
        scale_at(sentiments, si, bi, value);
        let new = sentiments.get(si).copied().unwrap_or(value);
        if new.to_bits() != value.to_bits() {
            if let Some(set) = positions.get_mut(&value.to_bits()) {
                set.remove(&si);
            }
            if new != 0.0 {
                positions.entry(new.to_bits()).or_default().insert(si);
            }
        }
    }
}

/// `_punctuation_emphasis` from the counts of '!' and '?'.
fn punctuation_emphasis(ep_count: usize, qm_count: usize) -> f64 {
    let ep_amplifier = ep_count.min(4) as f64 * 0.292;
    let qm_amplifier = if qm_count > 1 {
        if qm_count <= 3 {
            qm_count as f64 * 0.18
        } else {
            0.96
        }
    } else {
        0.0
    };
    ep_amplifier + qm_amplifier
}

/// `normalize` with alpha = 15.
#[inline]
fn normalize(score: f64) -> f64 {
    let norm_score = score / (score * score + ALPHA).sqrt();
    norm_score.clamp(-1.0, 1.0)
}

/// Python's `round(x, ndigits)` for `|x| < 2^40`: the double nearest to the
/// decimal obtained by rounding the exact binary value of `x` half-to-even.
fn py_round(x: f64, ndigits: u32) -> f64 {
    if !x.is_finite() || x == 0.0 || x.abs() >= (1u64 << 40) as f64 {
        return x;
    }
    let bits = x.to_bits();
    let negative = bits >> 63 == 1;
    let biased = ((bits >> 52) & 0x7ff) as i32;
    let fraction = bits & ((1u64 << 52) - 1);
    let (mantissa, exp) = if biased == 0 { (fraction, -1074) } else { (fraction | (1u64 << 52), biased - 1075) };
    let scale = 10u128.pow(ndigits);
    let n = u128::from(mantissa) * scale;
    let q = if exp >= 0 {
        // x is an integer: unchanged by rounding.
        return x;
    } else {
        let shift = exp.unsigned_abs();
        if shift >= 100 {
            // n < 2^71, far below half of 2^shift.
            0
        } else {
            let q = n >> shift;
            let rem = n - (q << shift);
            let half = 1u128 << (shift - 1);
            if rem > half || (rem == half && q & 1 == 1) {
                q + 1
            } else {
                q
            }
        }
    };
    // q < 2^40 * 10^4 < 2^54: both conversions are exact.
    let r = q as u64 as f64 / scale as u64 as f64;
    if negative {
        -r
    } else {
        r
    }
}

// ---------------------------------------------------------------------------
// Driver.

/// The text after `polarity_scores`' emoji substitution.
fn replace_emojis(tables: &Tables, text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 64);
    let mut prev_space = true;
    for c in text.chars() {
        if let Some(emoji) = tables.emojis.get(&c) {
            if !prev_space {
                out.push(' ');
            }
            out.push_str(emoji.description);
            prev_space = false;
        } else {
            out.push(c);
            prev_space = c == ' ';
        }
    }
    out
}

fn has_emoji(tables: &Tables, text: &str) -> bool {
    if text.is_ascii() && !tables.ascii_emoji {
        return false;
    }
    text.chars().any(|c| (!c.is_ascii() || tables.ascii_emoji) && tables.emojis.contains_key(&c))
}

/// Scratch buffers kept by a thread beyond this many tokens are let go, so one huge
/// message does not pin its buffers for the thread's life.
const KEPT_TOKENS: usize = 4096;

fn analyse(text: &str, full: bool) -> SentimentScores {
    thread_local! {
        /// This thread's buffers from its previous call: scoring a message after
        /// warm-up allocates nothing (unless it has emojis to spell out).
        static SPARE: std::cell::Cell<Option<(Scratch, Vec<f64>)>> = const { std::cell::Cell::new(None) };
    }
    let (mut scratch, mut sentiments) = SPARE.take().unwrap_or_default();
    scratch.toks.clear();
    scratch.lower.clear();
    sentiments.clear();
    let scores = analyse_in(text, full, &mut scratch, &mut sentiments);
    if scratch.toks.capacity() <= KEPT_TOKENS {
        SPARE.set(Some((scratch, sentiments)));
    }
    scores
}

fn analyse_in(text: &str, full: bool, scratch: &mut Scratch, sentiments: &mut Vec<f64>) -> SentimentScores {
    let tables = &*TABLES;
    let replaced;
    let text = if has_emoji(tables, text) {
        replaced = replace_emojis(tables, text);
        replaced.as_str()
    } else {
        text
    };
    // (`text.strip()` cannot change the tokens nor the '!'/'?' counts.)
    scratch.toks.reserve((text.len() / 4 + 4).min(1024));
    let (ep_count, qm_count) = scratch.tokenize(tables, text);
    let toks = scratch.toks.as_slice();
    if toks.is_empty() {
        return SentimentScores { neg: 0.0, neu: 0.0, pos: 0.0, compound: 0.0 };
    }

    // allcap_differential
    let allcap_words = toks.iter().filter(|t| t.upper).count();
    let cap_differential = toks.len() - allcap_words;
    let is_cap_diff = 0 < cap_differential && cap_differential < toks.len();

    sentiments.reserve(toks.len());
    for (i, item) in toks.iter().enumerate() {
        if item.booster.is_some() {
            sentiments.push(0.0);
            continue;
        }
        if item.word == W::Kind && tok(toks, i + 1).word == W::Of {
            sentiments.push(0.0);
            continue;
        }
        sentiments.push(sentiment_valence(toks, i, is_cap_diff));
    }
    but_check(toks, sentiments);

    // score_valence
    let punct_emph_amplifier = punctuation_emphasis(ep_count, qm_count);
    let mut sum_s = sentiments.iter().fold(0.0f64, |acc, &s| acc + s);
    if sum_s > 0.0 {
        sum_s += punct_emph_amplifier;
    } else if sum_s < 0.0 {
        sum_s -= punct_emph_amplifier;
    }
    let compound = py_round(normalize(sum_s), 4);
    if !full {
        return SentimentScores { neg: 0.0, neu: 0.0, pos: 0.0, compound };
    }

    // _sift_sentiment_scores
    let mut pos_sum = 0.0f64;
    let mut neg_sum = 0.0f64;
    let mut neu_count = 0usize;
    for &s in sentiments.iter() {
        if s > 0.0 {
            pos_sum += s + 1.0;
        }
        if s < 0.0 {
            neg_sum += s - 1.0;
        }
        if s == 0.0 {
            neu_count += 1;
        }
    }
    if pos_sum > neg_sum.abs() {
        pos_sum += punct_emph_amplifier;
    } else if pos_sum < neg_sum.abs() {
        neg_sum -= punct_emph_amplifier;
    }
    let total = pos_sum + neg_sum.abs() + neu_count as f64;
    SentimentScores {
        neg: py_round((neg_sum / total).abs(), 3),
        neu: py_round((neu_count as f64 / total).abs(), 3),
        pos: py_round((pos_sum / total).abs(), 3),
        compound,
    }
}
