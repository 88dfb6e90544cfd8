//! The VADER port against the Python reference on VADER's own ground-truth corpora, which
//! live in ../shared/data (not in the repository). Without them the test is reported as
//! ignored, with the reason in its name, rather than passing having checked nothing: libtest
//! can only ignore at compile time, so this file runs on libtest-mimic (`harness = false`).

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use handoff::signals::sentiment::compound;
use libtest_mimic::{Arguments, Trial};

const REFERENCE_TSV: &str = include_str!("data/vader_reference.tsv");
const GROUND_TRUTH_DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/data/vader-ground-truth");
const CORPORA: [&str; 4] = ["tweets", "movieReviewSnippets", "amazonReviewSnippets", "nytEditorialSnippets"];

fn main() {
    let args = Arguments::from_args();
    // HANDOFF_VADER_GROUND_TRUTH points elsewhere (or nowhere, to see the ignored report).
    let dir = std::env::var_os("HANDOFF_VADER_GROUND_TRUTH").map_or_else(|| GROUND_TRUTH_DIR.into(), PathBuf::from);
    let present = dir.is_dir();
    let trial = Trial::test("ground_truth_corpora_agree_with_python", move || {
        if !present {
            return Err(format!("{} not found: the ground truth is in ../shared/data", dir.display()).into());
        }
        ground_truth_corpora_agree_with_python(&dir);
        Ok(())
    });
    // The kind is printed beside the name: the reason it is ignored.
    let trial = if present {
        trial
    } else {
        trial.with_kind("needs ../shared/data/vader-ground-truth").with_ignored_flag(true)
    };
    libtest_mimic::run(&args, vec![trial]).exit();
}

/// `(id, text)` pairs of a ground-truth file, read exactly as the Python script does.
fn read_ground_truth(path: &Path) -> Vec<(String, String)> {
    let data = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let data = data.strip_prefix('\u{feff}').unwrap_or(&data);
    data.split('\n')
        .map(|line| line.strip_suffix('\r').unwrap_or(line))
        .filter(|line| !line.is_empty())
        .map(|line| {
            let mut f = line.splitn(3, '\t');
            let id = f.next().expect("id").to_owned();
            let _mean = f.next().expect("mean");
            let text = f.next().expect("text").to_owned();
            (id, text)
        })
        .collect()
}

fn ground_truth_corpora_agree_with_python(dir: &Path) {
    let mut reference: HashMap<(&str, &str), f64> = HashMap::new();
    for line in REFERENCE_TSV.lines().filter(|l| !l.starts_with('#')) {
        let mut f = line.split('\t');
        let corpus = f.next().expect("corpus");
        let id = f.next().expect("id");
        let value: f64 = f.next().expect("compound").parse().expect("float");
        reference.insert((corpus, id), value);
    }

    let (mut total, mut total_ok, mut total_exact) = (0usize, 0usize, 0usize);
    let mut overall_max = 0.0f64;
    for corpus in CORPORA {
        let texts = read_ground_truth(&dir.join(format!("{corpus}_GroundTruth.txt")));
        let (mut n, mut ok, mut exact, mut sign, mut max_diff) = (0usize, 0usize, 0usize, 0usize, 0.0f64);
        let mut worst = String::new();
        for (id, text) in &texts {
            let expected = *reference
                .get(&(corpus, id.as_str()))
                .unwrap_or_else(|| panic!("{corpus} {id} missing from vader_reference.tsv"));
            let got = compound(text);
            let diff = (got - expected).abs();
            n += 1;
            if diff <= 0.001 {
                ok += 1;
            }
            if got == expected {
                exact += 1;
            }
            if got.signum() != expected.signum() && (got != 0.0 || expected != 0.0) {
                sign += 1;
            }
            if diff > max_diff {
                max_diff = diff;
                worst = format!("{id}: python {expected} rust {got} {:?}", text.chars().take(80).collect::<String>());
            }
        }
        eprintln!(
            "{corpus}: {ok}/{n} within 0.001 ({:.3}%), {exact} exact, max diff {max_diff}, \
             {sign} sign disagreements{}",
            100.0 * ok as f64 / n as f64,
            if worst.is_empty() { String::new() } else { format!("; worst {worst}") }
        );
        total += n;
        total_ok += ok;
        total_exact += exact;
        overall_max = overall_max.max(max_diff);
    }
    eprintln!(
        "total: {total_ok}/{total} within 0.001 ({:.3}%), {total_exact} exact, max diff {overall_max}",
        100.0 * total_ok as f64 / total as f64
    );
    assert_eq!(total, reference.len(), "every reference row is used");
    assert!(total_ok as f64 >= 0.99 * total as f64, "only {total_ok}/{total} within 0.001");
}
