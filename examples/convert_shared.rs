//! Converts the third-party support data in `shared/data` into the
//! conversation model, one JSON Lines file per data set, without copying any
//! of it into the repository:
//!
//! ```text
//! cargo run --example convert_shared -- --data ../shared/data --out /tmp/real
//! ```
//!
//! Every conversation carries `metadata.dataset` and `metadata.label`: the data
//! set's own label (an intent, an ABCD subflow), or a list of labels where the
//! data set gives several (NLU++ multi-label turns, the intents met along a
//! MultiDoGO conversation). Single utterances become one-message conversations.
//! ABCD's human agents are written as `bot` turns (the bot stands where the
//! agent stood; a replay asks what the policy would have done in its place),
//! and its button clicks as `system` turns.

use std::collections::{BTreeSet, HashMap};
use std::fs::File;
use std::io::{BufReader, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use flate2::read::GzDecoder;
use serde_json::{json, Value};

type Error = Box<dyn std::error::Error>;

/// Writes one data set's conversations.
type Converter = fn(&Path, &mut Sink) -> Result<(), Error>;

fn main() -> ExitCode {
    let mut data = PathBuf::from("../shared/data");
    let mut out = None;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match (arg.as_str(), args.next()) {
            ("--data", Some(v)) => data = v.into(),
            ("--out", Some(v)) => out = Some(PathBuf::from(v)),
            _ => {
                eprintln!("usage: convert_shared [--data DIR] --out DIR");
                return ExitCode::from(2);
            }
        }
    }
    let Some(out) = out else {
        eprintln!("usage: convert_shared [--data DIR] --out DIR");
        return ExitCode::from(2);
    };
    let converters: [(&str, Converter); 8] = [
        ("multidogo", multidogo_turns),
        ("multidogo-dialogues", multidogo_dialogues),
        ("abcd", abcd),
        ("bitext", bitext),
        ("banking77", banking77),
        ("nlupp", nlupp),
        ("clinc150", clinc150),
        ("dstc11", dstc11),
    ];
    if let Err(e) = std::fs::create_dir_all(&out) {
        eprintln!("convert_shared: {}: {e}", out.display());
        return ExitCode::from(2);
    }
    let mut failed = false;
    for (dataset, convert) in converters {
        let path = out.join(format!("{dataset}.jsonl"));
        let result = Sink::create(dataset, &path).and_then(|mut sink| {
            convert(&data, &mut sink)?;
            sink.finish()
        });
        match result {
            Ok(count) => eprintln!("{dataset}: {count} conversations -> {}", path.display()),
            Err(e) => {
                eprintln!("{dataset}: {e}");
                failed = true;
            }
        }
    }
    if failed {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

/// One data set's output file.
struct Sink {
    dataset: &'static str,
    writer: BufWriter<File>,
    count: u64,
}

impl Sink {
    fn create(dataset: &'static str, path: &Path) -> Result<Sink, Error> {
        Ok(Sink { dataset, writer: BufWriter::new(File::create(path)?), count: 0 })
    }

    /// Writes a conversation; `metadata` gets `dataset` and `label` added.
    fn write(&mut self, id: &str, label: Value, mut metadata: Value, messages: Vec<Value>) -> Result<(), Error> {
        if let Some(m) = metadata.as_object_mut() {
            m.insert("dataset".into(), json!(self.dataset));
            m.insert("label".into(), label);
        }
        let conversation =
            json!({ "id": format!("{}:{id}", self.dataset), "metadata": metadata, "messages": messages });
        writeln!(self.writer, "{conversation}")?;
        self.count += 1;
        Ok(())
    }

    /// A one-message conversation.
    fn utterance(&mut self, id: &str, text: &str, label: Value, metadata: Value) -> Result<(), Error> {
        self.write(id, label, metadata, vec![json!({ "role": "customer", "text": text })])
    }

    fn finish(mut self) -> Result<u64, Error> {
        self.writer.flush()?;
        Ok(self.count)
    }
}

fn read_json(path: &Path) -> Result<Value, Error> {
    let file = File::open(path).map_err(|e| format!("{}: {e}", path.display()))?;
    Ok(serde_json::from_reader(BufReader::new(file))?)
}

/// MultiDoGO's turn-level annotated customer turns, regrouped into
/// conversations (the agent turns are not in the data).
fn multidogo_turns(data: &Path, sink: &mut Sink) -> Result<(), Error> {
    let root = data.join("multidogo/paper_splits/splits_annotated_at_turn_level");
    let mut domains: Vec<PathBuf> = std::fs::read_dir(&root)?.map(|e| e.map(|e| e.path())).collect::<Result<_, _>>()?;
    domains.sort();
    for domain_dir in domains {
        let domain = domain_dir.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        for split in ["train", "dev", "test"] {
            let path = domain_dir.join(format!("{split}.tsv.gz"));
            let mut reader = csv::ReaderBuilder::new()
                .delimiter(b'\t')
                .flexible(true)
                .from_reader(GzDecoder::new(File::open(&path).map_err(|e| format!("{}: {e}", path.display()))?));
            // conversationId -> turns (number, text, intents), in first-seen order.
            let mut order: Vec<String> = Vec::new();
            let mut turns: HashMap<String, Vec<(f64, String, Vec<String>)>> = HashMap::new();
            for row in reader.records() {
                let row = row?;
                let (Some(conv), Some(turn), Some(text), Some(intent)) =
                    (row.get(0), row.get(1), row.get(3), row.get(5))
                else {
                    continue;
                };
                let intents: Vec<String> =
                    intent.split("<div>").map(|s| s.trim().to_owned()).filter(|s| !s.is_empty()).collect();
                let entry = turns.entry(conv.to_owned()).or_insert_with(|| {
                    order.push(conv.to_owned());
                    Vec::new()
                });
                entry.push((turn.trim().parse().unwrap_or(f64::MAX), text.to_owned(), intents));
            }
            for conv in order {
                let Some(mut rows) = turns.remove(&conv) else { continue };
                rows.sort_by(|a, b| a.0.total_cmp(&b.0));
                let labels: BTreeSet<String> = rows.iter().flat_map(|r| r.2.iter().cloned()).collect();
                let messages = rows
                    .iter()
                    .map(|(_, text, intents)| match intents.first() {
                        Some(intent) => json!({ "role": "customer", "text": text, "intent": intent }),
                        None => json!({ "role": "customer", "text": text }),
                    })
                    .collect();
                sink.write(&conv, json!(labels), json!({ "domain": domain, "split": split }), messages)?;
            }
        }
    }
    Ok(())
}

/// The five full two-sided MultiDoGO dialogues (via DialogStudio).
fn multidogo_dialogues(data: &Path, sink: &mut Sink) -> Result<(), Error> {
    let examples = read_json(&data.join("multidogo/dialogstudio_converted_examples.json"))?;
    for (key, dialogue) in examples.as_object().into_iter().flatten() {
        let id = dialogue.get("original dialog id").and_then(Value::as_str).unwrap_or(key);
        let mut labels = BTreeSet::new();
        let mut messages = Vec::new();
        for turn in dialogue.get("log").and_then(Value::as_array).into_iter().flatten() {
            let intent =
                turn.pointer("/original user side information/intent/0").and_then(Value::as_str).map(str::to_owned);
            if let Some(user) = turn.get("user utterance").and_then(Value::as_str) {
                match &intent {
                    Some(intent) => {
                        labels.insert(intent.clone());
                        messages.push(json!({ "role": "customer", "text": user, "intent": intent }));
                    }
                    None => messages.push(json!({ "role": "customer", "text": user })),
                }
            }
            if let Some(system) = turn.get("system response").and_then(Value::as_str) {
                messages.push(json!({ "role": "bot", "text": system }));
            }
        }
        let domain = dialogue.pointer("/original dialog info/domain").cloned().unwrap_or(Value::Null);
        sink.write(id, json!(labels), json!({ "domain": domain }), messages)?;
    }
    Ok(())
}

/// ABCD's five distinct conversations, labelled with their subflow.
fn abcd(data: &Path, sink: &mut Sink) -> Result<(), Error> {
    let mut seen = BTreeSet::new();
    for file in ["abcd/abcd_sample.json", "abcd/dialogstudio_original_examples.json"] {
        let conversations = read_json(&data.join(file))?;
        for conversation in conversations.as_array().into_iter().flatten() {
            let id = conversation.get("convo_id").map(|v| v.to_string()).unwrap_or_default();
            if !seen.insert(id.clone()) {
                continue;
            }
            let mut manager_notified = false;
            let mut messages = Vec::new();
            for turn in conversation.get("original").and_then(Value::as_array).into_iter().flatten() {
                let (Some(speaker), Some(text)) =
                    (turn.get(0).and_then(Value::as_str), turn.get(1).and_then(Value::as_str))
                else {
                    continue;
                };
                let role = match speaker {
                    "customer" => "customer",
                    "agent" => "bot",
                    _ => "system",
                };
                manager_notified |= role == "system" && text.to_lowercase().contains("manager");
                messages.push(json!({ "role": role, "text": text }));
            }
            let flow = conversation.pointer("/scenario/flow").cloned().unwrap_or(Value::Null);
            let subflow = conversation.pointer("/scenario/subflow").cloned().unwrap_or(Value::Null);
            let metadata = json!({ "flow": flow, "subflow": subflow, "manager_notified": manager_notified });
            sink.write(&id, subflow, metadata, messages)?;
        }
    }
    Ok(())
}

/// Bitext's utterances (the 2023-08-07 release, the larger of the two).
fn bitext(data: &Path, sink: &mut Sink) -> Result<(), Error> {
    let path = data.join("bitext-customer-support/Bitext_Sample_Customer_Support_Training_Dataset.v2023-08-07.csv");
    let mut reader = csv::Reader::from_path(&path).map_err(|e| format!("{}: {e}", path.display()))?;
    let headers = reader.headers()?.clone();
    let column = |name: &str| headers.iter().position(|h| h == name).ok_or(format!("no column {name}"));
    let (text, intent, category, tags) =
        (column("instruction")?, column("intent")?, column("category")?, column("tags")?);
    for (n, row) in reader.records().enumerate() {
        let row = row?;
        let get = |i: usize| row.get(i).unwrap_or("");
        sink.utterance(
            &(n + 1).to_string(),
            get(text),
            json!(get(intent)),
            json!({ "category": get(category), "tags": get(tags) }),
        )?;
    }
    Ok(())
}

fn banking77(data: &Path, sink: &mut Sink) -> Result<(), Error> {
    for split in ["train", "test"] {
        let path = data.join(format!("banking77/{split}.csv"));
        let mut reader = csv::Reader::from_path(&path).map_err(|e| format!("{}: {e}", path.display()))?;
        for (n, row) in reader.records().enumerate() {
            let row = row?;
            let (text, category) = (row.get(0).unwrap_or(""), row.get(1).unwrap_or(""));
            sink.utterance(&format!("{split}-{}", n + 1), text, json!(category), json!({ "split": split }))?;
        }
    }
    Ok(())
}

/// NLU++: multi-label, so `metadata.label` is the list of intents.
fn nlupp(data: &Path, sink: &mut Sink) -> Result<(), Error> {
    for domain in ["banking", "hotels"] {
        for fold in 0..20 {
            let examples = read_json(&data.join(format!("nlupp/{domain}/fold{fold}.json")))?;
            for (n, example) in examples.as_array().into_iter().flatten().enumerate() {
                let text = example.get("text").and_then(Value::as_str).unwrap_or("");
                let intents = example.get("intents").cloned().unwrap_or_else(|| json!([]));
                sink.utterance(&format!("{domain}-{fold}-{}", n + 1), text, intents, json!({ "domain": domain }))?;
            }
        }
    }
    Ok(())
}

fn clinc150(data: &Path, sink: &mut Sink) -> Result<(), Error> {
    let splits = read_json(&data.join("clinc150/data_full.json"))?;
    for split in ["train", "val", "test", "oos_train", "oos_val", "oos_test"] {
        for (n, pair) in splits.get(split).and_then(Value::as_array).into_iter().flatten().enumerate() {
            let text = pair.get(0).and_then(Value::as_str).unwrap_or("");
            let intent = pair.get(1).cloned().unwrap_or(Value::Null);
            sink.utterance(&format!("{split}-{}", n + 1), text, intent, json!({ "split": split }))?;
        }
    }
    Ok(())
}

fn dstc11(data: &Path, sink: &mut Sink) -> Result<(), Error> {
    let path = data.join("dstc11-intent-induction/test-utterances.jsonl");
    let text = std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
    for (n, line) in text.lines().filter(|l| !l.trim().is_empty()).enumerate() {
        let row: Value = serde_json::from_str(line)?;
        let id =
            row.get("utterance_id").and_then(Value::as_str).map(str::to_owned).unwrap_or_else(|| (n + 1).to_string());
        let utterance = row.get("utterance").and_then(Value::as_str).unwrap_or("");
        let intent = row.get("intent").cloned().unwrap_or(Value::Null);
        sink.utterance(&id, utterance, intent, json!({}))?;
    }
    Ok(())
}
