use std::collections::BTreeMap;

use super::*;

fn at(pairs: &[(u32, u64)]) -> BTreeMap<u32, u64> {
    pairs.iter().copied().collect()
}

#[test]
fn percentiles_are_nearest_rank() {
    // One escalation at each of messages 1..=10.
    let t = timing(&at(&(1..=10).map(|m| (m, 1)).collect::<Vec<_>>()));
    assert_eq!((t.escalations, t.median, t.p90), (10, Some(5), Some(9)));
    // 9 at message 2, 1 at message 40: p90 is still 2, the 10th is beyond it.
    let t = timing(&at(&[(2, 9), (40, 1)]));
    assert_eq!((t.median, t.p90), (Some(2), Some(2)));
    let t = timing(&at(&[(2, 8), (40, 2)]));
    assert_eq!(t.p90, Some(40));
}

#[test]
fn histogram_has_a_bin_per_message_then_one_open_bin() {
    let t = timing(&at(&[(1, 4), (3, 2), (21, 1), (57, 5)]));
    let bins: Vec<(&str, u64)> = t.histogram.iter().map(|b| (b.message.as_str(), b.count)).collect();
    let mut expected: Vec<(String, u64)> = (1..=20).map(|m| (m.to_string(), 0)).collect();
    expected[0].1 = 4;
    expected[2].1 = 2;
    expected.push(("21+".to_owned(), 6));
    let expected: Vec<(&str, u64)> = expected.iter().map(|(m, c)| (m.as_str(), *c)).collect();
    assert_eq!(bins, expected);
}

#[test]
fn no_escalations_means_no_percentiles_and_an_empty_histogram() {
    let t = timing(&BTreeMap::new());
    assert_eq!((t.escalations, t.median, t.p90, t.histogram.len()), (0, None, None, 0));
}

#[test]
fn containment_counts_none_and_flag_but_not_offer() {
    let tally = ActionTally { escalate: 1, offer: 2, flag: 3, none: 4 };
    assert_eq!(tally.containment(), Share { count: 7, rate: 0.7 });
    assert_eq!(tally.shares().offer, Share { count: 2, rate: 0.2 });
    assert_eq!(rate(1, 0), 0.0);
}
