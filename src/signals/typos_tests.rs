#![allow(clippy::unwrap_used, clippy::indexing_slicing)]

use super::*;

struct Index(TypoIndex);

impl Index {
    fn correct(&self, word: &[u8]) -> Option<&str> {
        self.0.correct(word).map(|id| self.0.word(id).unwrap())
    }
}

fn index(words: &[&str]) -> Index {
    Index(TypoIndex::new(words.iter().copied()).unwrap())
}

#[test]
fn the_bound_grows_with_the_listed_word() {
    assert_eq!((allowed_edits(4), allowed_edits(5), allowed_edits(8), allowed_edits(9)), (0, 1, 1, 2));
}

#[test]
fn customers_misspellings_are_corrected() {
    let index = index(&["someone", "assistant", "agent", "human"]);
    assert_eq!(index.correct(b"somneone"), Some("someone"));
    assert_eq!(index.correct(b"asisstant"), Some("assistant"));
    assert_eq!(index.correct(b"asistant"), Some("assistant"));
    assert_eq!(index.correct(b"assitsant"), Some("assistant"));
    assert_eq!(index.correct(b"agnet"), Some("agent"));
    assert_eq!(index.correct(b"humna"), Some("human"));
}

#[test]
fn beyond_the_bound_or_spelled_right_is_no_typo() {
    let index = index(&["someone", "assistant", "agent"]);
    assert_eq!(index.correct(b"someone"), None);
    assert_eq!(index.correct(b"smneone"), None); // 2 edits from a 7-letter word
    assert_eq!(index.correct(b"asxstxnt"), None); // 3 edits from a 9-letter word
    assert_eq!(index.correct(b"urgent"), None);
    assert_eq!(index.correct(b"age"), None);
}

#[test]
fn short_and_non_letter_words_are_never_listed() {
    assert!(TypoIndex::new(["bot", "hi", "two-factor", "résilier"]).is_none());
    let index = index(&["bot", "agent"]);
    assert_eq!(index.correct(b"bat"), None);
}

#[test]
fn the_nearest_listed_word_wins() {
    let index = index(&["charge", "change"]);
    assert_eq!(index.correct(b"chargee"), Some("charge"));
    assert_eq!(index.correct(b"chnage"), Some("change"));
}

#[test]
fn distance_agrees_with_strsim() {
    let words =
        ["someone", "somneone", "assistant", "asisstant", "", "a", "ab", "ba", "abcdef", "badcfe", "kitten", "sitting"];
    for a in words {
        for b in words {
            assert_eq!(osa_distance(a.as_bytes(), b.as_bytes()), strsim::osa_distance(a, b), "{a} {b}");
        }
    }
}

#[test]
fn a_deletions_hash_is_the_hash_of_the_shorter_word() {
    let whole = |w: &[u8]| {
        let mut first = None;
        for_each_deletion(w, 0, |h| {
            first.get_or_insert(h);
        });
        first.unwrap()
    };
    let word = b"assistant";
    let mut got = Vec::new();
    for_each_deletion(word, 2, |h| got.push(h));
    let mut want = vec![whole(word)];
    for a in 0..word.len() {
        let mut one = word.to_vec();
        one.remove(a);
        want.push(whole(&one));
        for b in a + 1..word.len() {
            let mut two = word.to_vec();
            two.remove(b);
            two.remove(a);
            want.push(whole(&two));
        }
    }
    assert_eq!(got, want);
}
