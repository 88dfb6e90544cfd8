use std::path::PathBuf;

use super::*;

/// A record as (source, first line, text), to compare readers.
type Owned = (String, usize, Vec<u8>);

fn corpus() -> Corpus {
    let fixtures = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/replay");
    // A blank line (bad.jsonl), a `.json` document among JSON Lines (dir), a gzipped file.
    let inputs = ["bad.jsonl", "dir", "corpus.jsonl.gz", "corpus.jsonl"].map(|name| fixtures.join(name));
    Corpus::open(&inputs).unwrap()
}

fn one_by_one(corpus: &Corpus) -> Vec<Owned> {
    let mut reader = corpus.records();
    let mut records = Vec::new();
    while let Some(chunk) = reader.next_chunk(1).unwrap() {
        records.extend(chunk.into_iter().map(|r| (r.source.to_string(), r.line, r.bytes)));
    }
    records
}

#[test]
fn a_reused_chunk_reads_the_records_one_by_one_reading_does() {
    let corpus = corpus();
    let expected = one_by_one(&corpus);
    assert!(expected.len() > 30, "{} records", expected.len());
    assert!(expected.iter().any(|(source, line, _)| source.ends_with("a.json") && *line == 1));
    for size in [1, 3, 7, 1024] {
        let mut reader = corpus.records();
        // One chunk for the whole read: each refill must forget the last one's records.
        let mut chunk = RecordChunk::default();
        let mut read: Vec<Owned> = Vec::new();
        let mut chunks = 0;
        while reader.refill(size, &mut chunk).unwrap() {
            assert!(chunk.len() <= size);
            read.extend(chunk.records().map(|r| (r.source.to_owned(), r.line, r.bytes.to_vec())));
            chunks += 1;
        }
        assert!(chunk.is_empty(), "the last refill leaves nothing behind");
        assert_eq!(read, expected, "chunks of {size}");
        assert_eq!(chunks, expected.len().div_ceil(size), "chunks of {size}");
    }
}

#[test]
fn a_failed_source_ends_the_refill_with_its_error() {
    let missing = Source::file(PathBuf::from("/nonexistent/handoff/corpus.jsonl"));
    let corpus = Corpus::from_sources(vec![missing]);
    let mut chunk = RecordChunk::default();
    let error = corpus.records().refill(4, &mut chunk).unwrap_err();
    assert!(error.to_string().contains("corpus.jsonl"), "{error}");
}
