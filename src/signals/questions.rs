//! Whether a message asks something, for `questions(MESSAGES)`.
//!
//! Customers in chat often leave out the question mark ("how do i get my money
//! back", "can someone call me"), so a message asks something when:
//!
//! - it has a question mark (`?`, or the full-width `？`); or
//! - one of its sentences opens (after a greeting or filler such as "hi", "ok",
//!   "so", "please") with an auxiliary verb followed by a subject ("can you", "is
//!   it", "do I", "would someone"), or with a question word followed by an auxiliary,
//!   a subject or "to" ("how do", "what is", "where can", "how to", "what's").
//!
//! A question word alone is not enough: "when I paid it failed" and "what a mess" do
//! not ask anything. English only, like the other word lists without a language.

/// Words that may come before the question proper ("hi, can you ...").
const OPENERS: &[&str] =
    &["hi", "hello", "hey", "ok", "okay", "so", "and", "but", "please", "sorry", "excuse", "me", "um", "well", "then"];

/// Auxiliaries that open a yes-or-no question when a subject follows.
const AUXILIARIES: &[&str] = &[
    "can", "could", "will", "would", "shall", "should", "may", "might", "must", "is", "are", "was", "were", "am", "do",
    "does", "did", "have", "has", "had", "cant", "can't", "wont", "won't", "isnt", "isn't", "arent", "aren't", "dont",
    "don't", "doesnt", "doesn't", "didnt", "didn't", "wouldnt", "wouldn't", "couldnt", "couldn't",
];

/// Subjects after an inverted auxiliary ("can you", "is it", "does my card").
const SUBJECTS: &[&str] = &[
    "i", "you", "he", "she", "it", "we", "they", "someone", "somebody", "anyone", "anybody", "there", "this", "that",
    "my", "your", "the", "a", "an", "u",
];

/// Pronouns that may follow a question word ("why you charge me twice"); not "I":
/// "how I hate this" exclaims.
const PRONOUNS: &[&str] = &["you", "he", "she", "it", "we", "they", "u"];

/// Question words.
const QUESTION_WORDS: &[&str] = &["what", "why", "how", "when", "where", "who", "which", "whose", "whom"];

/// Contracted question words that are already a question's opening ("what's", "how's").
const CONTRACTED: &[&str] =
    &["what's", "whats", "how's", "hows", "where's", "wheres", "who's", "whos", "why's", "when's"];

/// Whether the message asks something.
pub fn asks(text: &str) -> bool {
    if text.contains(['?', '？']) {
        return true;
    }
    text.split(['.', '!', ';', '\n']).any(sentence_asks)
}

fn sentence_asks(sentence: &str) -> bool {
    let mut words = sentence
        .split(|c: char| c.is_whitespace() || c == ',' || c == ':')
        .filter(|w| !w.is_empty())
        .map(|w| w.trim_matches(|c: char| !c.is_alphanumeric() && c != '\'' && c != '’'))
        .filter(|w| !w.is_empty())
        .map(|w| w.to_lowercase().replace('’', "'"))
        .skip_while(|w| OPENERS.contains(&w.as_str()));
    let Some(first) = words.next() else { return false };
    let second = words.next();
    let second = second.as_deref();
    if CONTRACTED.contains(&first.as_str()) {
        return true;
    }
    if AUXILIARIES.contains(&first.as_str()) {
        return second.is_some_and(|w| SUBJECTS.contains(&w));
    }
    if QUESTION_WORDS.contains(&first.as_str()) {
        return second.is_some_and(|w| w == "to" || AUXILIARIES.contains(&w) || PRONOUNS.contains(&w));
    }
    false
}

#[cfg(test)]
mod tests {
    use super::asks;

    #[test]
    fn question_marks_ask() {
        assert!(asks("my card?"));
        assert!(asks("refund？"));
    }

    #[test]
    fn unpunctuated_questions_ask() {
        for text in [
            "how do i get my money back",
            "can someone call me",
            "hi, is it possible to change my pin",
            "ok so what is the fee for this",
            "Where can I see my statement.",
            "how to dispute a payment",
            "what's going on with my transfer",
            "Please could you check my account",
            "why was my card declined",
            "I paid twice. Can you fix it",
        ] {
            assert!(asks(text), "{text}");
        }
    }

    #[test]
    fn statements_do_not_ask() {
        for text in [
            "",
            "I was charged twice",
            "when I paid it failed",
            "what a mess",
            "do not charge me again",
            "can't believe this",
            "thanks, that helped",
            "how I hate this app",
            "Is.",
        ] {
            assert!(!asks(text), "{text}");
        }
    }
}
