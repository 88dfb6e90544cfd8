//! The training example nearest to a message: the evidence behind a score.
//!
//! An inverted index from feature rows to the examples that have them, so a
//! message visits only the examples it shares a feature with, and only those
//! of the intent asked about. Similarity is the cosine of the same unit
//! vectors the model scores, so "nearest" means near in what the model sees.

use super::examples::Example;
use super::vector::SparseVector;
use super::Nearest;

#[derive(Debug, Clone, Default)]
pub struct NearestIndex {
    /// The postings of row `r` are `postings[row_start[r]..row_start[r + 1]]`, sorted by example.
    row_start: Vec<u32>,
    /// (example number, feature value).
    postings: Vec<(u32, f32)>,
    /// The examples of intent `i` are numbers `intent_start[i]..intent_start[i + 1]`.
    intent_start: Vec<u32>,
    examples: Vec<Example>,
}

impl NearestIndex {
    /// Indexes the examples of each intent (in intent order) over `rows` feature rows.
    pub fn build(rows: usize, per_intent: &[Vec<(&Example, &SparseVector)>]) -> NearestIndex {
        let mut counts = vec![0u32; rows + 1];
        for (_, vector) in per_intent.iter().flatten() {
            for &(row, _) in vector.iter() {
                if let Some(c) = counts.get_mut(row as usize + 1) {
                    *c += 1;
                }
            }
        }
        let mut total = 0u32;
        for c in counts.iter_mut() {
            total += *c;
            *c = total;
        }
        let row_start = counts;
        let mut fill = row_start.clone();
        let mut postings = vec![(0u32, 0f32); total as usize];
        let mut intent_start = vec![0u32];
        let mut examples = Vec::new();
        for intent in per_intent {
            for &(example, vector) in intent {
                let number = u32::try_from(examples.len()).unwrap_or(u32::MAX);
                for &(row, value) in vector.iter() {
                    if let Some(next) = fill.get_mut(row as usize) {
                        if let Some(slot) = postings.get_mut(*next as usize) {
                            *slot = (number, value);
                        }
                        *next += 1;
                    }
                }
                examples.push(example.clone());
            }
            intent_start.push(u32::try_from(examples.len()).unwrap_or(u32::MAX));
        }
        NearestIndex { row_start, postings, intent_start, examples }
    }

    /// The example of `intent` with the highest cosine to `message`, the first
    /// written on a tie; `None` if no example shares a feature with it.
    pub fn nearest(&self, message: &SparseVector, intent: usize, sums: &mut Vec<f32>) -> Option<Nearest> {
        let lo = *self.intent_start.get(intent)?;
        let hi = *self.intent_start.get(intent + 1)?;
        sums.clear();
        sums.resize((hi - lo) as usize, 0.0);
        for &(row, value) in message {
            let (Some(&from), Some(&to)) = (self.row_start.get(row as usize), self.row_start.get(row as usize + 1))
            else {
                continue;
            };
            let Some(list) = self.postings.get(from as usize..to as usize) else { continue };
            let first = list.partition_point(|&(example, _)| example < lo);
            for &(example, weight) in list.iter().skip(first).take_while(|&&(example, _)| example < hi) {
                if let Some(sum) = sums.get_mut((example - lo) as usize) {
                    *sum += value * weight;
                }
            }
        }
        let (best, similarity) = sums
            .iter()
            .enumerate()
            .fold(None, |best: Option<(usize, f32)>, (i, &s)| match best {
                Some((_, top)) if top >= s => best,
                _ => Some((i, s)),
            })
            .filter(|&(_, s)| s > 0.0)?;
        let example = self.examples.get(lo as usize + best)?;
        Some(Nearest { text: example.text.clone(), origin: example.origin.clone(), similarity: similarity.min(1.0) })
    }

    /// Number of (feature, example) entries, for sizing reports.
    pub fn postings(&self) -> usize {
        self.postings.len()
    }
}
