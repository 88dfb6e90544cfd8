//! The training example nearest to a message: the evidence behind a score.
//!
//! Nearest means the highest cosine between the message and the example over
//! their words and word pairs (the overlap a person sees when reading the
//! two); when no example of the intent shares a word with the message (a
//! message of typos, say) over their character n-grams instead. Each part
//! has its own inverted index from feature rows to the examples that have
//! them, so a message visits only the examples it shares a feature with, and
//! only those of the intent asked about. Words are the cheaper part: a
//! message has a few dozen, against a few hundred character n-grams, most
//! of them shared by many examples.

use super::examples::Example;
use super::text::FeatureKind;
use super::vector::{SparseVector, Vocabulary};
use super::{first_best, Nearest};

#[derive(Debug, Clone, Default)]
pub struct NearestIndex {
    words: Postings,
    grams: Postings,
    /// The examples of intent `i` are numbers `intent_start[i]..intent_start[i + 1]`.
    intent_start: Vec<u32>,
    examples: Vec<Example>,
}

/// An inverted index over one part of the vectors.
#[derive(Debug, Clone, Default)]
struct Postings {
    /// The postings of row `r` are `entries[row_start[r]..row_start[r + 1]]`, sorted by example.
    row_start: Vec<u32>,
    /// (example number, feature value in the example's unit vector of this part).
    entries: Vec<(u32, f32)>,
}

/// Whether a feature belongs to the word part (else the character part).
fn is_word(vocabulary: &Vocabulary, row: u32) -> bool {
    matches!(vocabulary.kind(row), Some(FeatureKind::Word | FeatureKind::WordPair))
}

/// The entries of one part of `vector`, scaled to unit length.
fn part(vocabulary: &Vocabulary, vector: &SparseVector, words: bool, out: &mut SparseVector) {
    out.clear();
    out.extend(vector.iter().filter(|&&(row, _)| is_word(vocabulary, row) == words));
    let length = out.iter().map(|&(_, v)| v * v).sum::<f32>().sqrt();
    if length > 0.0 {
        out.iter_mut().for_each(|(_, v)| *v /= length);
    }
}

impl Postings {
    /// `parts` holds (example number, unit vector) in example order.
    fn build(rows: usize, parts: &[(u32, SparseVector)]) -> Postings {
        let mut row_start = vec![0u32; rows + 1];
        for (_, vector) in parts {
            for &(row, _) in vector {
                if let Some(c) = row_start.get_mut(row as usize + 1) {
                    *c += 1;
                }
            }
        }
        let mut total = 0u32;
        for c in row_start.iter_mut() {
            total += *c;
            *c = total;
        }
        let mut fill = row_start.clone();
        let mut entries = vec![(0u32, 0f32); total as usize];
        for (number, vector) in parts {
            for &(row, value) in vector {
                if let Some(next) = fill.get_mut(row as usize) {
                    if let Some(slot) = entries.get_mut(*next as usize) {
                        *slot = (*number, value);
                    }
                    *next += 1;
                }
            }
        }
        Postings { row_start, entries }
    }

    /// Adds `value * weight` to `sums[example - lo]` for every posting of
    /// the message's rows whose example is in `lo..hi`.
    fn accumulate(&self, message: &SparseVector, lo: u32, hi: u32, sums: &mut Vec<f32>) {
        sums.clear();
        sums.resize((hi - lo) as usize, 0.0);
        for &(row, value) in message {
            let (Some(&from), Some(&to)) = (self.row_start.get(row as usize), self.row_start.get(row as usize + 1))
            else {
                continue;
            };
            let Some(list) = self.entries.get(from as usize..to as usize) else { continue };
            let first = list.partition_point(|&(example, _)| example < lo);
            for &(example, weight) in list.iter().skip(first).take_while(|&&(example, _)| example < hi) {
                if let Some(sum) = sums.get_mut((example - lo) as usize) {
                    *sum += value * weight;
                }
            }
        }
    }
}

/// Reused buffers for [`NearestIndex::nearest`].
#[derive(Debug, Default, Clone)]
pub struct NearestScratch {
    part: SparseVector,
    sums: Vec<f32>,
}

impl NearestIndex {
    /// Indexes the examples of each intent (in intent order).
    pub fn build(vocabulary: &Vocabulary, per_intent: &[Vec<(&Example, &SparseVector)>]) -> NearestIndex {
        let mut intent_start = vec![0u32];
        let mut examples = Vec::new();
        let (mut words, mut grams) = (Vec::new(), Vec::new());
        for intent in per_intent {
            for &(example, vector) in intent {
                let number = u32::try_from(examples.len()).unwrap_or(u32::MAX);
                for (is_words, parts) in [(true, &mut words), (false, &mut grams)] {
                    let mut unit = SparseVector::new();
                    part(vocabulary, vector, is_words, &mut unit);
                    parts.push((number, unit));
                }
                examples.push(example.clone());
            }
            intent_start.push(u32::try_from(examples.len()).unwrap_or(u32::MAX));
        }
        NearestIndex {
            words: Postings::build(vocabulary.len(), &words),
            grams: Postings::build(vocabulary.len(), &grams),
            intent_start,
            examples,
        }
    }

    /// The example of `intent` most like `message` (the first written on a
    /// tie); `None` if no example shares a feature with it.
    pub fn nearest(
        &self,
        vocabulary: &Vocabulary,
        message: &SparseVector,
        intent: usize,
        scratch: &mut NearestScratch,
    ) -> Option<Nearest> {
        let lo = *self.intent_start.get(intent)?;
        let hi = *self.intent_start.get(intent + 1)?;
        for (words, postings) in [(true, &self.words), (false, &self.grams)] {
            part(vocabulary, message, words, &mut scratch.part);
            postings.accumulate(&scratch.part, lo, hi, &mut scratch.sums);
            let best = first_best(&scratch.sums).filter(|&(_, s)| s > 0.0);
            if let Some((best, similarity)) = best {
                let example = self.examples.get(lo as usize + best)?;
                return Some(Nearest {
                    text: example.text.clone(),
                    origin: example.origin.clone(),
                    similarity: similarity.min(1.0),
                });
            }
        }
        None
    }
}
