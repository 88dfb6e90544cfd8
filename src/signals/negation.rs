//! Whether a mention is negated, for `mentions ... unless negated`.
//!
//! A NegEx-style reading (Chapman et al. 2001; negspacy is its spaCy port): a
//! negation cue ("not", "no", "never", "don't", ...) negates what follows it up to
//! the end of its clause, which ends at punctuation or at a termination word ("but",
//! "however", ...). On top of NegEx, what support conversations need:
//!
//! - pseudo-negations do not negate: "not only", "no doubt", "not sure if", and
//!   not knowing or not being able ("I don't know how to reach a person", "I can't
//!   speak to a live agent") is a request for help, not a refusal;
//! - a negated question is a request: "can't I just talk to someone?", "why won't
//!   you put me through";
//! - a leading "No," that answers the bot negates nothing ("No, I want a human"), and a
//!   new request ("please", "I want", "let me") ends the negation before it ("no i
//!   dont want a transfer please let me speak with someone"), unless the cue negates a
//!   belief ("I don't think I need an agent");
//! - "without" under a negation cancels it ("I can't do this without an agent");
//! - a few cues negate what comes before them ("an agent is not needed").
//!
//! Every word list of a language is one [`Table`], so a language is added by adding
//! a table (`lexicons/`); a policy reads its conversations with the [`Lexicon`] of
//! its languages' tables together, and the cues and clause ends it adds. Matching
//! is ASCII-case-insensitive on text that `phrases::normalize` has already folded
//! (apostrophes are `'`, accents gone), or on the ASCII fast-path text; a lexicon's
//! entries are folded the same way when it is built.

use std::sync::LazyLock;

use smallvec::SmallVec;

use super::phrases::normalize;

/// A language's word lists as written in the source.
pub type Table = Lexicon<&'static [&'static str]>;

/// The word lists of one or more languages. Entries of several words are written with
/// single spaces and match consecutive words of one clause.
#[derive(Debug, Clone, Default)]
pub struct Lexicon<L = Vec<Box<str>>> {
    /// Cues that negate the rest of their clause.
    pub cues: L,
    /// A word ending in one of these is a cue too ("shouldn't", "mustn't").
    pub cue_suffixes: L,
    /// Negated auxiliaries: such a cue opening a clause and followed by a pronoun
    /// makes a question ("can't I ...", "won't you ...").
    pub auxiliaries: L,
    /// Words after a cue that make it no negation ("not only", "don't know").
    pub pseudo_after: L,
    /// Words before a cue that make it no negation ("whether or not", "if not").
    pub pseudo_before: L,
    /// Cues of inability; followed by a verb of reaching someone, they are a request.
    pub inability: L,
    pub reaching: L,
    /// After a cue, a belief verb ("don't think") keeps the negation over a new
    /// request in the same clause ("I don't think I need an agent").
    pub belief: L,
    /// Skipped between a cue and the word that follows it ("don't really know").
    pub adverbs: L,
    /// Words that end a clause.
    pub terminators: L,
    /// The start of a new request, which ends a negation before it.
    pub requests: L,
    /// Answers ("no") that negate nothing when a break or one of `answer_followers`
    /// comes next.
    pub answers: L,
    pub answer_followers: L,
    /// A clause opening with one of these is a question, whatever its punctuation.
    pub question_openers: L,
    pub pronouns: L,
    /// Cues that negate the mention before them in the same clause.
    pub post_cues: L,
    /// A cue that, under another cue, cancels it ("not without").
    pub double_negation: L,
}

pub static ENGLISH: Table = Lexicon {
    cues: &[
        "not", "no", "never", "without", "cannot", "neither", "nor", "dont", "doesnt", "didnt", "isnt", "arent",
        "wasnt", "werent", "wont", "cant", "wouldnt", "shouldnt", "couldnt", "havent", "hasnt", "hadnt", "aint", "n't",
    ],
    cue_suffixes: &["n't"],
    auxiliaries: &[
        "can't",
        "cant",
        "cannot",
        "won't",
        "wont",
        "couldn't",
        "couldnt",
        "wouldn't",
        "wouldnt",
        "don't",
        "dont",
        "doesn't",
        "doesnt",
        "isn't",
        "isnt",
        "aren't",
        "arent",
        "shouldn't",
        "shouldnt",
    ],
    pseudo_after: &[
        "only",
        "just",
        "doubt",
        "question",
        "idea",
        "matter",
        "problem",
        "worries",
        "to mention",
        "sure if",
        "sure whether",
        "sure how",
        "sure what",
        "sure why",
        "sure where",
        "sure who",
        "know",
        "understand",
        "working",
        "work",
        "helping",
        "helpful",
        "being helpful",
        "help",
        "making sense",
        "make sense",
        "wait",
    ],
    pseudo_before: &["if", "or"],
    inability: &[
        "can't",
        "cant",
        "cannot",
        "can not",
        "couldn't",
        "couldnt",
        "could not",
        "not able to",
        "never able to",
    ],
    reaching: &[
        "reach", "contact", "speak", "talk", "chat", "get", "find", "connect", "call", "seem", "figure", "access",
        "see",
    ],
    belief: &["think", "believe", "suppose", "guess", "feel", "reckon", "expect"],
    adverbs: &["really", "even", "actually", "quite", "exactly", "necessarily", "always", "ever", "seem to"],
    terminators: &[
        "but",
        "however",
        "although",
        "though",
        "except",
        "yet",
        "still",
        "instead",
        "rather",
        "unless",
        "because",
        "otherwise",
        "anyway",
        "whereas",
        "other than",
        "apart from",
        "aside from",
    ],
    requests: &[
        "please",
        "i want",
        "i need",
        "i'd like",
        "i would like",
        "would like",
        "i wanna",
        "wanna",
        "let me",
        "can i",
        "could i",
        "may i",
    ],
    answers: &["no"],
    answer_followers: &[
        "i", "i'm", "im", "i'd", "we", "you", "just", "please", "thanks", "thank", "that", "it", "it's", "its", "ok",
        "okay", "sorry",
    ],
    question_openers: &["why", "how come"],
    pronouns: &["i", "you", "we", "they", "there", "it", "someone", "somebody", "anyone", "anybody", "u"],
    post_cues: &[
        "not needed",
        "not necessary",
        "not required",
        "unnecessary",
        "isn't needed",
        "isn't necessary",
        "no longer needed",
        "not anymore",
    ],
    double_negation: &["without"],
};

impl<L> Lexicon<L> {
    /// Every list, in one order (the order of the fields).
    fn lists(&self) -> [&L; 17] {
        [
            &self.cues,
            &self.cue_suffixes,
            &self.auxiliaries,
            &self.pseudo_after,
            &self.pseudo_before,
            &self.inability,
            &self.reaching,
            &self.belief,
            &self.adverbs,
            &self.terminators,
            &self.requests,
            &self.answers,
            &self.answer_followers,
            &self.question_openers,
            &self.pronouns,
            &self.post_cues,
            &self.double_negation,
        ]
    }

    fn lists_mut(&mut self) -> [&mut L; 17] {
        [
            &mut self.cues,
            &mut self.cue_suffixes,
            &mut self.auxiliaries,
            &mut self.pseudo_after,
            &mut self.pseudo_before,
            &mut self.inability,
            &mut self.reaching,
            &mut self.belief,
            &mut self.adverbs,
            &mut self.terminators,
            &mut self.requests,
            &mut self.answers,
            &mut self.answer_followers,
            &mut self.question_openers,
            &mut self.pronouns,
            &mut self.post_cues,
            &mut self.double_negation,
        ]
    }
}

impl Table {
    /// Every entry of every list, as written.
    pub fn entries(&self) -> impl Iterator<Item = &'static str> + '_ {
        self.lists().into_iter().flat_map(|l| l.iter().copied())
    }
}

impl Lexicon {
    /// The lists of `tables` together, each entry folded as messages are
    /// (lowercase, no accents) and listed once.
    pub fn of(tables: &[&Table]) -> Lexicon {
        let mut lexicon = Lexicon::default();
        for table in tables {
            for (into, from) in lexicon.lists_mut().into_iter().zip(table.lists()) {
                for entry in from.iter() {
                    push_folded(into, entry);
                }
            }
        }
        lexicon
    }

    /// Adds a policy's own negation cues and clause ends.
    pub fn add(&mut self, cues: &[String], terminators: &[String]) {
        for cue in cues {
            push_folded(&mut self.cues, cue);
        }
        for end in terminators {
            push_folded(&mut self.terminators, end);
        }
    }
}

fn push_folded(list: &mut Vec<Box<str>>, entry: &str) {
    let folded = normalize(entry);
    if !folded.is_empty() && !list.iter().any(|e| **e == *folded) {
        list.push(folded.into());
    }
}

/// English alone: what a policy that names no language reads with.
pub static ENGLISH_LEXICON: LazyLock<Lexicon> = LazyLock::new(|| Lexicon::of(&[&ENGLISH]));

/// A word or a clause break of the text, by byte offsets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Token {
    Word(usize, usize),
    Break(char),
}

/// Whether the mention at `start..end` of `text` is negated, under `lexicon`.
pub fn is_negated(text: &str, start: usize, end: usize, lexicon: &Lexicon) -> bool {
    let tokens = tokenize(text);
    let clause = Clause { text, tokens: &tokens, lexicon };
    clause.negated(start, end)
}

fn is_break(c: char) -> bool {
    matches!(c, '.' | ',' | ';' | '!' | '?' | ':' | '(' | ')' | '[' | ']' | '…' | '—' | '–' | '¿' | '¡')
}

fn is_word_char(c: char) -> bool {
    c.is_alphanumeric() || c == '\''
}

fn tokenize(text: &str) -> SmallVec<[Token; 48]> {
    let mut tokens = SmallVec::new();
    let mut word: Option<usize> = None;
    let mut after_space = true;
    for (at, c) in text.char_indices() {
        if is_word_char(c) {
            word.get_or_insert(at);
            after_space = false;
            continue;
        }
        if let Some(from) = word.take() {
            push_word(text, from, at, &mut tokens);
        }
        // A dash after a space ("no - get me an agent") breaks; one inside a word
        // ("two-factor") does not.
        if is_break(c) || (c == '-' && after_space) {
            tokens.push(Token::Break(c));
        }
        after_space = c.is_whitespace();
    }
    if let Some(from) = word {
        push_word(text, from, text.len(), &mut tokens);
    }
    tokens
}

/// A word without the apostrophes around it (quotes, not contractions).
fn push_word(text: &str, from: usize, to: usize, tokens: &mut SmallVec<[Token; 48]>) {
    let Some(word) = text.get(from..to) else { return };
    let lead = word.len() - word.trim_start_matches('\'').len();
    let trail = word.len() - word.trim_end_matches('\'').len();
    if from + lead < to.saturating_sub(trail) {
        tokens.push(Token::Word(from + lead, to - trail));
    }
}

struct Clause<'a> {
    text: &'a str,
    tokens: &'a [Token],
    lexicon: &'a Lexicon,
}

impl Clause<'_> {
    fn word(&self, i: usize) -> Option<&str> {
        match self.tokens.get(i)? {
            Token::Word(from, to) => self.text.get(*from..*to),
            Token::Break(_) => None,
        }
    }

    /// How many words an entry of `list` spans at token `i`, if one matches there
    /// (the longest that does).
    fn entry_at(&self, i: usize, list: &[Box<str>]) -> Option<usize> {
        list.iter()
            .filter_map(|entry| {
                let mut n = 0;
                for part in entry.split(' ') {
                    if !self.word(i + n)?.eq_ignore_ascii_case(part) {
                        return None;
                    }
                    n += 1;
                }
                Some(n)
            })
            .max()
    }

    /// The length of the cue at `i`, if a cue starts there.
    fn cue_at(&self, i: usize) -> Option<usize> {
        if let Some(n) = self.entry_at(i, &self.lexicon.cues) {
            return Some(n);
        }
        let word = self.word(i)?;
        let ends_with = |suffix: &str| {
            word.len() > suffix.len()
                && word.get(word.len() - suffix.len()..).is_some_and(|end| end.eq_ignore_ascii_case(suffix))
        };
        self.lexicon.cue_suffixes.iter().any(|s| ends_with(s)).then_some(1)
    }

    /// The first token after `i` that is not an adverb.
    fn skip_adverbs(&self, mut i: usize) -> usize {
        while let Some(n) = self.entry_at(i, &self.lexicon.adverbs) {
            i += n;
        }
        i
    }

    /// Whether the cue of `len` words at `i` is no negation where it stands.
    fn is_pseudo(&self, i: usize, len: usize) -> bool {
        let lex = self.lexicon;
        let next = self.skip_adverbs(i + len);
        if self.entry_at(next, &lex.pseudo_after).is_some() {
            return true;
        }
        if i.checked_sub(1).is_some_and(|before| self.entry_at(before, &lex.pseudo_before).is_some()) {
            return true;
        }
        // "can't reach", and "can not reach" where the cue is the second word.
        let inability = |from: usize| {
            self.entry_at(from, &lex.inability)
                .is_some_and(|n| from + n > i && self.entry_at(self.skip_adverbs(from + n), &lex.reaching).is_some())
        };
        if (0..3).any(|back| i.checked_sub(back).is_some_and(inability)) {
            return true;
        }
        // "No, ..." or "no I want ...": an answer to the bot.
        if self.entry_at(i, &lex.answers) == Some(len) {
            return match self.tokens.get(i + len) {
                None | Some(Token::Break(_)) => true,
                Some(Token::Word(..)) => self.entry_at(i + len, &lex.answer_followers).is_some(),
            };
        }
        false
    }

    fn negated(&self, start: usize, end: usize) -> bool {
        let lex = self.lexicon;
        let tokens = self.tokens;
        // The words the mention covers: from the one holding `start` to the last
        // one starting before `end`.
        let Some(first) = tokens.iter().position(|t| matches!(t, Token::Word(_, to) if *to > start)) else {
            return false;
        };
        let last =
            tokens.iter().rposition(|t| matches!(t, Token::Word(from, _) if *from < end)).unwrap_or(first).max(first);
        let clause_start = tokens
            .get(..first)
            .and_then(|before| before.iter().rposition(|t| matches!(t, Token::Break(_))))
            .map_or(0, |at| at + 1);
        let clause_end = tokens.iter().skip(last + 1).find_map(|t| match t {
            Token::Break(c) => Some(*c),
            Token::Word(..) => None,
        });
        if clause_end == Some('?') {
            // "can't I just talk to someone?": a negated question asks for it.
            return false;
        }

        let mut negated = false;
        let mut belief = false;
        let mut question = false;
        let mut segment = clause_start;
        // The word just after the last cue: a request there is what the cue negates
        // ("no quiero", "dont wanna"), not a new one.
        let mut after_cue = usize::MAX;
        let mut i = clause_start;
        while i < first {
            if let Some(n) = self.entry_at(i, &lex.terminators) {
                (negated, belief, question) = (false, false, false);
                i += n;
                segment = i;
                continue;
            }
            if let Some(n) = self.entry_at(i, &lex.requests) {
                let negated_request = negated && i == after_cue;
                if !belief && !negated_request {
                    negated = false;
                    segment = i + n;
                }
                i += n;
                continue;
            }
            if let Some(n) = self.entry_at(i, &lex.question_openers) {
                question = true;
                i += n;
                continue;
            }
            let Some(n) = self.cue_at(i) else {
                i += 1;
                continue;
            };
            if self.is_pseudo(i, n) {
                i += n;
                continue;
            }
            if negated && self.entry_at(i, &lex.double_negation).is_some() {
                // "I can't do this without an agent": the two cancel.
                negated = false;
                i += n;
                continue;
            }
            let next = self.skip_adverbs(i + n);
            if i == segment
                && self.entry_at(i, &lex.auxiliaries).is_some()
                && self.entry_at(i + n, &lex.pronouns).is_some()
            {
                question = true;
            }
            negated = true;
            after_cue = next;
            belief = self.entry_at(next, &lex.belief).is_some();
            i += n;
        }
        if negated {
            return !question;
        }
        // "an agent is not needed": a cue after the mention, before the clause ends.
        let mut j = last + 1;
        while let Some(Token::Word(..)) = tokens.get(j) {
            if self.entry_at(j, &lex.terminators).is_some() {
                break;
            }
            if self.entry_at(j, &lex.post_cues).is_some() {
                return !question;
            }
            j += 1;
        }
        false
    }
}

#[cfg(test)]
#[path = "negation_tests.rs"]
mod tests;
