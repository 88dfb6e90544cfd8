//! Scratch (not committed): share of held-out training texts per set at or above thresholds.
use handoff::intent::{read_example_files, train, IntentModel, TrainSettings};
use std::collections::BTreeMap;
fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let dir = &args[0];
    let mut files: Vec<_> = std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().path()).filter(|p| p.extension().is_some_and(|e| e == "intents")).collect();
    files.sort();
    let set = read_example_files(&files).unwrap_or_else(|e| panic!("{e:?}"));
    let t = std::time::Instant::now();
    let model = train(&set, &TrainSettings::default());
    eprintln!("trained {} intents in {:?}", model.intents().len(), t.elapsed());
    let th = [0.3f32, 0.4, 0.5, 0.6, 0.7, 0.8];
    let mut agg: BTreeMap<(String, usize), (usize, [usize; 6])> = BTreeMap::new();
    let show: Option<(String, usize, f32)> = args.get(2).map(|s| { let v: Vec<_> = s.split(':').collect(); (v[0].to_string(), v[1].parse().unwrap(), v[2].parse().unwrap()) });
    for line in std::fs::read_to_string(&args[1]).unwrap().lines() {
        let v: serde_json::Value = serde_json::from_str(line).unwrap();
        let s = v["set"].as_str().unwrap().to_string();
        let text = v["text"].as_str().unwrap();
        let sc = model.score(text);
        for (i, &x) in sc.scores.iter().enumerate() {
            let e = agg.entry((s.clone(), i)).or_insert((0, [0; 6]));
            e.0 += 1;
            for (k, &t) in th.iter().enumerate() { if x >= t { e.1[k] += 1; } }
            if let Some((ss, ii, t)) = &show { if s.starts_with(ss.as_str()) && *ii == i && ((x >= *t) != ss.starts_with("person") ) { println!("{x:.2} {s} {text}"); } }
        }
    }
    println!("{:<28} {:<16} {:>6} {:>6} {:>6} {:>6} {:>6} {:>6} {:>6}", "set", "intent", "n", ">=.3", ">=.4", ">=.5", ">=.6", ">=.7", ">=.8");
    for ((s, i), (n, c)) in agg {
        print!("{:<28} {:<16} {:>6}", s, model.intents()[i], n);
        for k in c { print!(" {:>6.1}", 100.0 * k as f64 / n as f64); }
        println!();
    }
}
