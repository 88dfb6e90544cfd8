//! Converts the third-party support data in `shared/data` into the
//! conversation model, one JSON Lines file per data set, without copying any
//! of it into the repository:
//!
//! ```text
//! cargo run --example convert_shared -- --data ../shared/data --out /tmp/real [--part eval|train|all]
//! ```
//!
//! `--part` follows `shared/data/README.md` ("Training and evaluation parts"):
//! `eval` writes only the evaluation parts (figures are reported on these, and
//! nothing is ever tuned on them), `train` only the training parts, `all`
//! (the default) everything, ABCD and the DialogStudio MultiDoGO dialogues
//! included. `.manifest.json` in the output folder (hidden, so a replay of the
//! folder does not take it for a conversation) gives each file's records,
//! labelled records and records per target, for checking counts downstream.
//!
//! Every conversation carries `metadata.dataset`, `metadata.part` and
//! `metadata.label`: the data set's own label (an intent, an ABCD subflow), or
//! a list of labels where the data set gives several (NLU++ multi-label turns,
//! the intents met along a MultiDoGO conversation). Single utterances become
//! one-message conversations. ABCD's human agents are written as `bot` turns
//! (the bot stands where the agent stood; a replay asks what the policy would
//! have done in its place), and its button clicks as `system` turns.
//!
//! Where the data set's labels say what a payments support desk should do, the
//! record also gets an `expect`, `metadata.target` (see [`Target`]) and
//! `metadata.target_label`, the label (or domain) that decided it; the
//! mapping uses label names only, never the texts, except for the NLU++
//! refusals listed in [`NLUPP_REFUSALS`]. Everything else stays unlabelled and
//! is still replayed.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::fs::File;
use std::io::{BufReader, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use flate2::read::GzDecoder;
use serde_json::{json, Value};
use sha1::{Digest, Sha1};

type Error = Box<dyn std::error::Error>;

/// Which part of each data set to write.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Part {
    Train,
    Eval,
    All,
}

impl Part {
    fn name(self) -> &'static str {
        match self {
            Part::Train => "train",
            Part::Eval => "eval",
            Part::All => "all",
        }
    }
}

/// What a labelled record is evidence for, and so what it should get.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Target {
    /// An explicit request for a person (NLU++ `handoff`, Bitext
    /// `contact_human_agent`): escalate, to any queue.
    PersonRequest,
    /// An unrecognised or doubled charge (BANKING77's four, MultiDoGO finance
    /// `disputecharge`): escalate to disputes or fraud.
    Dispute,
    /// A routine question (the BANKING77 intents in [`BANKING77_ROUTINE`], CLINC150
    /// outside its banking and credit-card domains and `oos`, MultiDoGO fast food):
    /// stays with the bot.
    Routine,
    /// NLU++ turns labelled `handoff` that turn a transfer down: stays with the bot.
    Refusal,
}

impl Target {
    fn name(self) -> &'static str {
        match self {
            Target::PersonRequest => "person_request",
            Target::Dispute => "dispute",
            Target::Routine => "routine",
            Target::Refusal => "refusal",
        }
    }

    fn expect(self) -> Value {
        match self {
            Target::PersonRequest => json!({ "action": "escalate" }),
            Target::Dispute => json!({ "action": "escalate", "queue": ["disputes", "fraud"] }),
            Target::Routine | Target::Refusal => json!({ "action": "none" }),
        }
    }
}

/// BANKING77 intents that report a payment the customer does not recognise or was charged twice for.
const BANKING77_DISPUTE: [&str; 4] = [
    "card_payment_not_recognised",
    "direct_debit_payment_not_recognised",
    "cash_withdrawal_not_recognised",
    "transaction_charged_twice",
];

/// BANKING77 intents that are, by their names, questions a bot answers: how
/// something works, what it costs, when it arrives, how to change a setting.
/// Left out on purpose: anything naming a failure, a decline, a pending or
/// reverted payment, a charge or fee already taken, a loss, a theft, a refund,
/// a closure, or a wait (`card_arrival`, `pending_*`, `*_charged`, `*_not_*`).
const BANKING77_ROUTINE: [&str; 32] = [
    "activate_my_card",
    "age_limit",
    "apple_pay_or_google_pay",
    "atm_support",
    "automatic_top_up",
    "card_about_to_expire",
    "card_acceptance",
    "card_delivery_estimate",
    "card_linking",
    "change_pin",
    "country_support",
    "disposable_card_limits",
    "edit_personal_details",
    "exchange_charge",
    "exchange_rate",
    "exchange_via_app",
    "fiat_currency_support",
    "get_disposable_virtual_card",
    "get_physical_card",
    "getting_spare_card",
    "getting_virtual_card",
    "order_physical_card",
    "receiving_money",
    "supported_cards_and_currencies",
    "top_up_by_cash_or_cheque",
    "top_up_limits",
    "topping_up_by_card",
    "transfer_into_account",
    "transfer_timing",
    "verify_my_identity",
    "visa_or_mastercard",
    "why_verify_identity",
];

/// CLINC150 domains that are the payments company's own business: their
/// intents (report_fraud, report_lost_card, card_declined, ...) are not routine here.
const CLINC150_PAYMENT_DOMAINS: [&str; 2] = ["banking", "credit_cards"];

/// NLU++ texts labelled `handoff` that decline a transfer: the label marks the
/// topic (NLU++'s own caveat, shared/data/nlupp/SOURCE.md), and these two say no
/// to it. Found by listing every `handoff` text that is also `deny`; the other
/// `deny` + `handoff` texts ("No, I want to speak to a normal person.") ask for one.
const NLUPP_REFUSALS: [&str; 2] =
    ["No, you don't need to transfer me to a real person", "No, you don't transfer me to operator"];

/// Writes one data set's conversations.
type Converter = fn(&Path, Part, &mut Sink) -> Result<(), Error>;

const USAGE: &str = "usage: convert_shared [--data DIR] --out DIR [--part eval|train|all]";

fn main() -> ExitCode {
    let mut data = PathBuf::from("../shared/data");
    let mut out = None;
    let mut part = Part::All;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match (arg.as_str(), args.next()) {
            ("--data", Some(v)) => data = v.into(),
            ("--out", Some(v)) => out = Some(PathBuf::from(v)),
            ("--part", Some(v)) if v == "eval" => part = Part::Eval,
            ("--part", Some(v)) if v == "train" => part = Part::Train,
            ("--part", Some(v)) if v == "all" => part = Part::All,
            _ => {
                eprintln!("{USAGE}");
                return ExitCode::from(2);
            }
        }
    }
    let Some(out) = out else {
        eprintln!("{USAGE}");
        return ExitCode::from(2);
    };
    // (data set, converter, parts it has)
    let converters: [(&str, Converter, &[Part]); 8] = [
        ("multidogo", multidogo_turns, &[Part::Train, Part::Eval, Part::All]),
        ("multidogo-dialogues", multidogo_dialogues, &[Part::Train, Part::All]),
        ("abcd", abcd, &[Part::All]),
        ("bitext", bitext, &[Part::Train, Part::Eval, Part::All]),
        ("banking77", banking77, &[Part::Train, Part::Eval, Part::All]),
        ("nlupp", nlupp, &[Part::Train, Part::Eval, Part::All]),
        ("clinc150", clinc150, &[Part::Train, Part::Eval, Part::All]),
        ("dstc11", dstc11, &[Part::Eval, Part::All]),
    ];
    if let Err(e) = std::fs::create_dir_all(&out) {
        eprintln!("convert_shared: {}: {e}", out.display());
        return ExitCode::from(2);
    }
    let mut failed = false;
    let mut manifest = serde_json::Map::new();
    for (dataset, convert, parts) in converters {
        if !parts.contains(&part) {
            continue;
        }
        let path = out.join(format!("{dataset}.jsonl"));
        let result = Sink::create(dataset, part, &path).and_then(|mut sink| {
            convert(&data, part, &mut sink)?;
            sink.finish()
        });
        match result {
            Ok(counts) => {
                eprintln!(
                    "{dataset} ({} part): {} conversations, {} labelled -> {}",
                    part.name(),
                    counts.records,
                    counts.labelled,
                    path.display()
                );
                manifest.insert(format!("{dataset}.jsonl"), counts.to_json());
            }
            Err(e) => {
                eprintln!("{dataset}: {e}");
                failed = true;
            }
        }
    }
    let manifest_path = out.join(".manifest.json");
    let written = serde_json::to_string_pretty(&json!({ "part": part.name(), "files": manifest }))
        .map_err(Error::from)
        .and_then(|text| std::fs::write(&manifest_path, text).map_err(Error::from));
    if let Err(e) = written {
        eprintln!("convert_shared: {}: {e}", manifest_path.display());
        failed = true;
    }
    if failed {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

/// Why a record is labelled: its target, and the data set's label (or domain) behind it.
type Labelled<'a> = Option<(Target, &'a str)>;

/// What one output file holds.
#[derive(Debug, Default)]
struct Counts {
    records: u64,
    labelled: u64,
    targets: BTreeMap<&'static str, u64>,
}

impl Counts {
    fn to_json(&self) -> Value {
        json!({ "records": self.records, "labelled": self.labelled, "targets": self.targets })
    }
}

/// One data set's output file.
struct Sink {
    dataset: &'static str,
    part: Part,
    writer: BufWriter<File>,
    counts: Counts,
}

impl Sink {
    fn create(dataset: &'static str, part: Part, path: &Path) -> Result<Sink, Error> {
        Ok(Sink { dataset, part, writer: BufWriter::new(File::create(path)?), counts: Counts::default() })
    }

    /// Writes a conversation; `metadata` gets `dataset`, `part`, `label` (and
    /// `target`) added, and the record an `expect` when it has a target.
    fn write(
        &mut self,
        id: &str,
        label: Value,
        mut metadata: Value,
        messages: Vec<Value>,
        labelled: Labelled<'_>,
    ) -> Result<(), Error> {
        if let Some(m) = metadata.as_object_mut() {
            m.insert("dataset".into(), json!(self.dataset));
            m.insert("part".into(), json!(self.part.name()));
            m.insert("label".into(), label);
            if let Some((target, why)) = labelled {
                m.insert("target".into(), json!(target.name()));
                m.insert("target_label".into(), json!(why));
            }
        }
        let mut conversation =
            json!({ "id": format!("{}:{id}", self.dataset), "metadata": metadata, "messages": messages });
        if let (Some((target, _)), Some(c)) = (labelled, conversation.as_object_mut()) {
            c.insert("expect".into(), target.expect());
            self.counts.labelled += 1;
            *self.counts.targets.entry(target.name()).or_insert(0) += 1;
        }
        writeln!(self.writer, "{conversation}")?;
        self.counts.records += 1;
        Ok(())
    }

    /// A one-message conversation.
    fn utterance(
        &mut self,
        id: &str,
        text: &str,
        label: Value,
        metadata: Value,
        labelled: Labelled<'_>,
    ) -> Result<(), Error> {
        self.write(id, label, metadata, vec![json!({ "role": "customer", "text": text })], labelled)
    }

    fn finish(mut self) -> Result<Counts, Error> {
        self.writer.flush()?;
        Ok(self.counts)
    }
}

fn read_json(path: &Path) -> Result<Value, Error> {
    let file = File::open(path).map_err(|e| format!("{}: {e}", path.display()))?;
    Ok(serde_json::from_reader(BufReader::new(file))?)
}

/// The files or splits of a data set in `part`: (training ones, evaluation ones).
fn pick<'a>(part: Part, train: &[&'a str], eval: &[&'a str]) -> Vec<&'a str> {
    match part {
        Part::Train => train.to_vec(),
        Part::Eval => eval.to_vec(),
        Part::All => train.iter().chain(eval).copied().collect(),
    }
}

/// MultiDoGO's turn-level annotated customer turns, regrouped into
/// conversations (the agent turns are not in the data). Finance conversations
/// with a `disputecharge` turn are disputes; fast-food ones are routine.
fn multidogo_turns(data: &Path, part: Part, sink: &mut Sink) -> Result<(), Error> {
    let root = data.join("multidogo/paper_splits/splits_annotated_at_turn_level");
    let mut domains: Vec<PathBuf> = std::fs::read_dir(&root)?.map(|e| e.map(|e| e.path())).collect::<Result<_, _>>()?;
    domains.sort();
    for domain_dir in domains {
        let domain = domain_dir.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        for split in pick(part, &["train", "dev"], &["test"]) {
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
                let target = match domain.as_str() {
                    "finance" if labels.contains("disputecharge") => Some((Target::Dispute, "disputecharge")),
                    "fastfood" => Some((Target::Routine, "fastfood")),
                    _ => None,
                };
                // The data set's own intent is the answer the labelled parts grade: written
                // on a message it would be a perfect upstream NLU a real bot does not have, so
                // only `--part all` (the unlabelled replay) keeps it as an annotation.
                let annotate = part == Part::All;
                let messages = rows
                    .iter()
                    .map(|(_, text, intents)| match intents.first() {
                        Some(intent) if annotate => json!({ "role": "customer", "text": text, "intent": intent }),
                        _ => json!({ "role": "customer", "text": text }),
                    })
                    .collect();
                sink.write(&conv, json!(labels), json!({ "domain": domain, "split": split }), messages, target)?;
            }
        }
    }
    Ok(())
}

/// The five full two-sided MultiDoGO dialogues (via DialogStudio, its train split).
fn multidogo_dialogues(data: &Path, _part: Part, sink: &mut Sink) -> Result<(), Error> {
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
        sink.write(id, json!(labels), json!({ "domain": domain }), messages, None)?;
    }
    Ok(())
}

/// ABCD's five distinct conversations, labelled with their subflow (in no part: `all` only).
fn abcd(data: &Path, _part: Part, sink: &mut Sink) -> Result<(), Error> {
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
            sink.write(&id, subflow, metadata, messages, None)?;
        }
    }
    Ok(())
}

const BITEXT_RELEASES: [&str; 2] = [
    "Bitext_Sample_Customer_Support_Training_Dataset.v2023-08-07.csv",
    "Bitext_Sample_Customer_Support_Training_Dataset.v2023-08-18.csv",
];

/// Whether a Bitext text is in the evaluation part: the SHA-1 hex digest of the
/// text, stripped of surrounding spaces, ends in 8-f.
fn bitext_is_eval(instruction: &str) -> bool {
    let digest = Sha1::digest(instruction.trim().as_bytes());
    digest.last().is_some_and(|byte| byte & 0x0f >= 8)
}

/// Bitext's utterances: `all` is the 2023-08-07 release (the larger); the
/// parts take both releases, each text once, split by [`bitext_is_eval`].
fn bitext(data: &Path, part: Part, sink: &mut Sink) -> Result<(), Error> {
    let releases = if part == Part::All { &BITEXT_RELEASES[..1] } else { &BITEXT_RELEASES[..] };
    let mut seen = HashSet::new();
    for (r, release) in releases.iter().enumerate() {
        let path = data.join("bitext-customer-support").join(release);
        let mut reader = csv::Reader::from_path(&path).map_err(|e| format!("{}: {e}", path.display()))?;
        let headers = reader.headers()?.clone();
        let column = |name: &str| headers.iter().position(|h| h == name).ok_or(format!("no column {name}"));
        let (text, intent, category, tags) =
            (column("instruction")?, column("intent")?, column("category")?, column("tags")?);
        for (n, row) in reader.records().enumerate() {
            let row = row?;
            let get = |i: usize| row.get(i).unwrap_or("");
            let wanted = match part {
                Part::All => true,
                Part::Eval => bitext_is_eval(get(text)),
                Part::Train => !bitext_is_eval(get(text)),
            };
            if !wanted || (part != Part::All && !seen.insert(get(text).trim().to_owned())) {
                continue;
            }
            let id = if r == 0 { (n + 1).to_string() } else { format!("r{}-{}", r + 1, n + 1) };
            let target = (get(intent) == "contact_human_agent").then_some((Target::PersonRequest, get(intent)));
            let metadata = json!({ "category": get(category), "tags": get(tags) });
            sink.utterance(&id, get(text), json!(get(intent)), metadata, target)?;
        }
    }
    Ok(())
}

fn banking77(data: &Path, part: Part, sink: &mut Sink) -> Result<(), Error> {
    for split in pick(part, &["train"], &["test"]) {
        let path = data.join(format!("banking77/{split}.csv"));
        let mut reader = csv::Reader::from_path(&path).map_err(|e| format!("{}: {e}", path.display()))?;
        for (n, row) in reader.records().enumerate() {
            let row = row?;
            let (text, category) = (row.get(0).unwrap_or(""), row.get(1).unwrap_or(""));
            let target = if BANKING77_DISPUTE.contains(&category) {
                Some((Target::Dispute, category))
            } else if BANKING77_ROUTINE.contains(&category) {
                Some((Target::Routine, category))
            } else {
                None
            };
            sink.utterance(&format!("{split}-{}", n + 1), text, json!(category), json!({ "split": split }), target)?;
        }
    }
    Ok(())
}

/// NLU++: multi-label, so `metadata.label` is the list of intents.
fn nlupp(data: &Path, part: Part, sink: &mut Sink) -> Result<(), Error> {
    let folds = match part {
        Part::Train => 0..10,
        Part::Eval => 10..20,
        Part::All => 0..20,
    };
    for domain in ["banking", "hotels"] {
        for fold in folds.clone() {
            let examples = read_json(&data.join(format!("nlupp/{domain}/fold{fold}.json")))?;
            for (n, example) in examples.as_array().into_iter().flatten().enumerate() {
                let text = example.get("text").and_then(Value::as_str).unwrap_or("");
                let intents = example.get("intents").cloned().unwrap_or_else(|| json!([]));
                let handoff = intents.as_array().is_some_and(|i| i.iter().any(|v| v == "handoff"));
                let target = match (handoff, NLUPP_REFUSALS.contains(&text.trim())) {
                    (true, true) => Some((Target::Refusal, "handoff")),
                    (true, false) => Some((Target::PersonRequest, "handoff")),
                    (false, _) => None,
                };
                let id = format!("{domain}-{fold}-{}", n + 1);
                sink.utterance(&id, text, intents, json!({ "domain": domain, "fold": fold }), target)?;
            }
        }
    }
    Ok(())
}

fn clinc150(data: &Path, part: Part, sink: &mut Sink) -> Result<(), Error> {
    let splits = read_json(&data.join("clinc150/data_full.json"))?;
    let domains = read_json(&data.join("clinc150/domains.json"))?;
    let payment_intents: HashSet<&str> = CLINC150_PAYMENT_DOMAINS
        .iter()
        .flat_map(|d| domains.get(*d).and_then(Value::as_array).into_iter().flatten())
        .filter_map(Value::as_str)
        .collect();
    if payment_intents.len() != 30 {
        return Err(format!(
            "clinc150/domains.json: expected 30 banking and credit-card intents, found {}",
            payment_intents.len()
        )
        .into());
    }
    for split in pick(part, &["train", "val", "oos_train", "oos_val"], &["test", "oos_test"]) {
        for (n, pair) in splits.get(split).and_then(Value::as_array).into_iter().flatten().enumerate() {
            let text = pair.get(0).and_then(Value::as_str).unwrap_or("");
            let intent = pair.get(1).and_then(Value::as_str).unwrap_or("");
            let target = (!intent.is_empty() && !payment_intents.contains(intent)).then_some((Target::Routine, intent));
            sink.utterance(&format!("{split}-{}", n + 1), text, json!(intent), json!({ "split": split }), target)?;
        }
    }
    Ok(())
}

/// DSTC11's insurance utterances: evaluation only, and unlabelled (`FindAgent`
/// is finding an insurance agent, not asking for a person in the chat).
fn dstc11(data: &Path, _part: Part, sink: &mut Sink) -> Result<(), Error> {
    let path = data.join("dstc11-intent-induction/test-utterances.jsonl");
    let text = std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
    for (n, line) in text.lines().filter(|l| !l.trim().is_empty()).enumerate() {
        let row: Value = serde_json::from_str(line)?;
        let id =
            row.get("utterance_id").and_then(Value::as_str).map(str::to_owned).unwrap_or_else(|| (n + 1).to_string());
        let utterance = row.get("utterance").and_then(Value::as_str).unwrap_or("");
        let intent = row.get("intent").cloned().unwrap_or(Value::Null);
        sink.utterance(&id, utterance, intent, json!({}), None)?;
    }
    Ok(())
}
