use std::path::PathBuf;

use super::*;

fn fixtures() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/replay")
}

/// The ids (or rejections) the fold reports, stopping with an output error after `stop_after`.
fn events(threads: usize, chunk_size: usize, stop_after: Option<usize>) -> (Vec<String>, Result<u64, String>) {
    let policy = Policy::load(fixtures().join("payments.handoff")).unwrap();
    let inputs = ["bad.jsonl", "corpus.jsonl", "dir", "corpus.jsonl.gz"].map(|name| fixtures().join(name));
    let corpus = Corpus::open(&inputs).unwrap();
    let replay = Replay::new(&policy, None, ReplayOptions { threads, chunk_size, ..ReplayOptions::default() }).unwrap();
    let mut seen = Vec::new();
    let result = replay.run(&corpus, |event| {
        match event {
            Event::Evaluated(e) => seen.push(e.id.clone()),
            Event::Rejected(error) => seen.push(format!("rejected {error}")),
            Event::Progress { .. } => return Ok(()),
        }
        match stop_after {
            Some(limit) if seen.len() >= limit => Err(ReplayError::Output("output full".into())),
            _ => Ok(()),
        }
    });
    (seen, result.map(|summary| summary.read).map_err(|e| e.to_string()))
}

#[test]
fn every_thread_count_and_chunk_size_reports_the_same_records_in_input_order() {
    let (expected, read) = events(1, 1024, None);
    assert_eq!(read, Ok(expected.len() as u64));
    assert!(expected.iter().any(|e| e.starts_with("rejected")), "{expected:?}");
    for (threads, chunk_size) in [(1, 1), (2, 1), (2, 2), (3, 7)] {
        assert_eq!(events(threads, chunk_size, None), (expected.clone(), read.clone()), "{threads} {chunk_size}");
    }
}

#[test]
fn a_failing_handler_stops_the_reader_and_the_pool_with_its_error() {
    let (all, _) = events(1, 1024, None);
    // Chunks of one record: the reader and the evaluation are several chunks ahead when
    // the fold stops, and must stop too rather than wait on a full channel forever.
    for threads in [1, 2] {
        let (seen, result) = events(threads, 1, Some(5));
        assert_eq!(result, Err("output full".to_owned()));
        assert_eq!(seen, all.get(..5).unwrap());
    }
}
