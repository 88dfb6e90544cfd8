//! The intent engine on a small set of sentences written for these tests:
//! reading example files (and their located errors), training determinism,
//! scores and evidence, and the cross-validated quality report.

// Tests assert by unwrapping and indexing: a panic is a test failure.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use handoff::intent::{
    parse_examples, quality_report, read_example_files, train, IntentFileError, IntentModel, IntentReadError,
    QualitySettings, QualityWarning, TrainSettings, TrainingSet,
};

/// Three intents a support policy might define, in the example file format.
const FIXTURE: &str = "\
# Customers asking for a person.
intent: request_person
- can I talk to a real person?
- put me through to an agent please
- I want to speak to a human
- let me speak with someone who can help
- connect me with customer service
- is there a person I can chat with
- get me a manager
- transfer me to an operator
- I need to talk to somebody, not a bot
- can a human being look at this
- please get me a live agent
- I'd like to speak with a representative
counter:
- no, you don't need to transfer me to a real person
- I am a real person, why do you ask
- the agent in the shop was helpful

intent: dispute_charge
- there is a payment I do not recognise
- I was charged twice for the same order
- this charge on my statement is not mine
- I want to dispute a transaction
- someone used my card without permission
- there's a fraudulent charge on my account
- I did not make this purchase
- an unknown company took money from my card
- why was I billed for something I never bought
- I want my money back for a payment I didn't authorise
- a transaction appeared that I don't know about
- please reverse this charge, it wasn't me

intent: card_delivery
- when will my card arrive
- my new card has not come yet
- how long does card delivery take
- can I track my card
- my card still hasn't been delivered
- is my card on its way
- what is the delivery time for a replacement card
- where is my card, I ordered it two weeks ago
- the card you sent never arrived
- has my card been posted yet
- how many days until I get my card
- card delivery status please
";

fn fixture() -> TrainingSet {
    parse_examples("intents/support.intents", FIXTURE).unwrap()
}

#[test]
fn the_reader_keeps_intents_examples_counter_examples_and_lines() {
    let set = fixture();
    assert_eq!(set.names(), ["request_person", "dispute_charge", "card_delivery"]);
    let person = &set.intents[0];
    assert_eq!((person.examples.len(), person.counter_examples.len()), (12, 3));
    assert_eq!(&*person.examples[0].text, "can I talk to a real person?");
    let origin = person.counter_examples[0].origin.as_ref().unwrap();
    assert_eq!((&*origin.file, origin.line), ("intents/support.intents", 16));
    assert_eq!(set.intents[2].examples.len(), 12);
}

#[test]
fn an_intent_continues_across_sections_and_files() {
    let dir = std::env::temp_dir().join(format!("handoff-intent-files-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let (a, b) = (dir.join("a.intents"), dir.join("b.intents"));
    std::fs::write(&a, "intent: greet\n- hello\nintent: bye\n- see you\nintent: greet\n- hi there\n").unwrap();
    std::fs::write(&b, "\u{feff}intent: greet\ncounter:\n- hell no\nexamples:\n- good morning\n").unwrap();
    let set = read_example_files(&[&a, &b]).unwrap();
    std::fs::remove_dir_all(&dir).unwrap();
    let greet = &set.intents[0];
    let texts: Vec<&str> = greet.examples.iter().map(|e| &*e.text).collect();
    assert_eq!(texts, ["hello", "hi there", "good morning"]);
    assert_eq!(&*greet.counter_examples[0].text, "hell no");
    assert_eq!(set.names(), ["greet", "bye"]);
}

/// Each kind of mistake, reported with its line, all of them at once.
#[test]
fn reader_errors_are_located_and_all_reported() {
    let text = "\
- an example before any intent
counter:
intent: request person
- skipped quietly: the name above already has an error
intent: ok_intent
-
just some words
intent: lonely
";
    let errors = parse_examples("bad.intents", text).unwrap_err();
    let [IntentReadError::Invalid { file, errors, .. }] = errors.as_slice() else { panic!("{errors:?}") };
    assert_eq!(file, "bad.intents");
    let found: Vec<(usize, &str)> = errors
        .iter()
        .map(|e| {
            let kind = match e {
                IntentFileError::ExampleOutsideIntent { .. } => "example outside intent",
                IntentFileError::CounterOutsideIntent { .. } => "counter outside intent",
                IntentFileError::BadName { .. } => "bad name",
                IntentFileError::EmptyExample { .. } => "empty example",
                IntentFileError::UnexpectedLine { .. } => "unexpected line",
                IntentFileError::NoExamples { .. } => "no examples",
            };
            (e.line(), kind)
        })
        .collect();
    assert_eq!(
        found,
        [
            (1, "example outside intent"),
            (2, "counter outside intent"),
            (3, "bad name"),
            (5, "no examples"),
            (6, "empty example"),
            (7, "unexpected line"),
            (8, "no examples"),
        ]
    );
    // The labels point at the words on those lines.
    let spans: Vec<&str> = errors.iter().map(|e| span_text(text, e)).collect();
    assert_eq!(spans[2], "request person");
    assert_eq!(spans[5], "just some words");
    assert_eq!(spans[6], "lonely");
}

fn span_text<'a>(text: &'a str, error: &IntentFileError) -> &'a str {
    use miette::Diagnostic;
    let label = error.labels().unwrap().next().unwrap();
    &text[label.offset()..label.offset() + label.len()]
}

#[test]
fn a_reader_error_renders_with_file_line_code_and_help() {
    let errors = parse_examples("bad.intents", "intent: greet\n- hello\noops\n").unwrap_err();
    let report = miette::Report::new(errors[0].clone());
    let mut out = String::new();
    miette::GraphicalReportHandler::new_themed(miette::GraphicalTheme::unicode_nocolor())
        .render_report(&mut out, report.as_ref())
        .unwrap();
    for expected in ["bad.intents:3:1", "handoff::intent::unexpected_line", "oops", "`intent: NAME`"] {
        assert!(out.contains(expected), "{expected:?} not in\n{out}");
    }
}

#[test]
fn an_unreadable_file_is_an_error_not_a_panic() {
    let errors = read_example_files(&["/nonexistent/handoff/x.intents"]).unwrap_err();
    assert!(matches!(&errors[0], IntentReadError::Unreadable { file, .. } if file.contains("x.intents")));
}

#[test]
fn the_content_hash_follows_the_examples_not_the_layout() {
    let set = fixture();
    let relaid = FIXTURE.replace("# Customers asking for a person.\n", "\n\n# moved\n").replace("- ", "-   ");
    assert_eq!(parse_examples("elsewhere.intents", &relaid).unwrap().content_hash(), set.content_hash());
    let changed = FIXTURE.replace("get me a manager", "get me the manager");
    assert_ne!(parse_examples("x", &changed).unwrap().content_hash(), set.content_hash());
    let reordered = FIXTURE.replace(
        "- get me a manager\n- transfer me to an operator",
        "- transfer me to an operator\n- get me a manager",
    );
    assert_ne!(parse_examples("x", &reordered).unwrap().content_hash(), set.content_hash());
}

#[test]
fn training_is_deterministic_to_the_bit() {
    let set = fixture();
    let settings = TrainSettings::default();
    let (a, b) = (train(&set, &settings), train(&set, &settings));
    assert_eq!(a.weights_digest(), b.weights_digest());
    assert_eq!(a.fingerprint(), b.fingerprint());
    // Trained on other threads, concurrently: the same bits.
    let digests: Vec<String> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..4).map(|_| s.spawn(|| train(&set, &settings).weights_digest())).collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    assert!(digests.iter().all(|d| *d == a.weights_digest()), "{digests:?}");
    for text in ["can I talk to someone", "where's my card", "", "🙂"] {
        let (x, y) = (a.score(text), b.score(text));
        let bits = |s: &[f32]| s.iter().map(|f| f.to_bits()).collect::<Vec<_>>();
        assert_eq!(bits(&x.scores), bits(&y.scores), "{text:?}");
    }
    // A different seed visits the examples in another order: other weights, other fingerprint.
    let other = train(&set, &TrainSettings { seed: 7, ..settings });
    assert_ne!(other.weights_digest(), a.weights_digest());
    assert_ne!(other.fingerprint(), a.fingerprint());
}

#[test]
fn messages_score_as_the_intent_they_mean_with_the_nearest_example() {
    let model = train(&fixture(), &TrainSettings::default());
    let cases = [
        ("Can I please talk to an actual person?", "request_person"),
        ("put me through with a bank worker!", "request_person"),
        ("There is a payment that is not mine", "dispute_charge"),
        ("I wanted to see about disputing a charge", "dispute_charge"),
        ("my card hasnt arrived yet", "card_delivery"),
    ];
    for (text, intent) in cases {
        let scores = model.score(text);
        let best = scores.best.unwrap();
        assert_eq!(best.name, intent, "{text:?}: {:?}", scores.scores);
        assert!(best.score >= 0.5, "{text:?} scored {}", best.score);
        let nearest = best.nearest.unwrap();
        assert!(nearest.similarity > 0.0 && nearest.similarity <= 1.0);
        let i = model.position(intent).unwrap();
        // Asking about one intent gives the same score, to the bit, and the same evidence.
        let explained = model.explain(text, i).unwrap();
        assert_eq!(explained.score.to_bits(), scores.scores[i].to_bits());
        assert_eq!(explained.nearest.as_ref(), Some(&nearest));
        let own = fixture().intents[i].examples.iter().any(|e| e.text == nearest.text);
        assert!(own, "{text:?}: nearest {:?} is not an example of {intent}", nearest.text);
        assert!(nearest.origin.is_some());
    }
    // A training example is its own nearest example.
    let m = model.explain("get me a manager", model.position("request_person").unwrap()).unwrap();
    assert_eq!(&*m.nearest.unwrap().text, "get me a manager");
}

#[test]
fn counter_examples_and_unrelated_messages_score_low() {
    let model = train(&fixture(), &TrainSettings::default());
    let person = model.position("request_person").unwrap();
    for text in ["no, you don't need to transfer me to a real person", "what's the weather like on Mars", ""] {
        let score = model.score(text).scores[person];
        assert!(score < 0.5, "{text:?} scored {score}");
    }
    let empty = model.score("");
    assert!(empty.scores.iter().all(|s| (0.0..0.5).contains(s)), "{:?}", empty.scores);
    assert!(empty.best.unwrap().nearest.is_none(), "nothing is near an empty message");
    assert!(model.explain("hello", 99).is_none());
}

#[test]
fn scores_are_probabilities_for_any_input() {
    let model = train(&fixture(), &TrainSettings::default());
    let long = "card ".repeat(5000);
    for text in ["ＣＡＲＤ ｄｅｌｉｖｅｒｙ", "ﬁ ligature", "\u{0}\u{7f}", "🙂🙂🙂", &long, "a'b'c'", "'''"]
    {
        let scores = model.score(text);
        assert!(scores.scores.iter().all(|s| (0.0..=1.0).contains(s)), "{text:?}: {:?}", scores.scores);
    }
    // NFKC: full-width letters are the plain word.
    let wide = model.score("ＣＡＲＤ ＤＥＬＩＶＥＲＹ").scores;
    assert_eq!(wide, model.score("card delivery").scores);
}

#[test]
fn an_empty_training_set_gives_a_model_with_no_intents() {
    let model = train(&TrainingSet::new(), &TrainSettings::default());
    let scores = model.score("anything");
    assert!(scores.scores.is_empty() && scores.best.is_none());
}

#[test]
fn the_quality_report_cross_validates_and_warns() {
    let report = quality_report(&fixture(), &QualitySettings::default());
    assert_eq!(report.folds, 5);
    assert_eq!(report.intents.len(), 3);
    for intent in &report.intents {
        let (p, r) = (intent.precision.unwrap(), intent.recall.unwrap());
        assert!(p > 0.6 && r >= 0.5, "{}: precision {p}, recall {r}", intent.name);
        assert_eq!(intent.true_positives + intent.false_negatives, intent.examples);
    }
    let accuracy = report.accuracy.unwrap();
    assert!(accuracy > 0.75, "{accuracy}");
    assert!(report.calibration_error.unwrap() < 0.3);
    assert!(report.warnings.is_empty(), "{:?}", report.warnings);
    // The same again: folds are fixed.
    assert_eq!(quality_report(&fixture(), &QualitySettings::default()), report);
}

#[test]
fn the_quality_report_warns_on_few_examples_shared_examples_and_overlap() {
    let mut text = FIXTURE.to_owned();
    text.push_str("intent: thanks\n- thanks a lot\n- thank you\n- I want to speak to a human\n");
    // An intent that is request_person under another name.
    text.push_str("intent: ask_agent\n");
    for line in [
        "can I talk to a person",
        "put me through to a human",
        "I want to speak to an agent",
        "let me speak with a person",
        "connect me to an agent",
        "is there someone I can talk to",
        "get me a human",
        "transfer me to a person",
        "I need to talk to an agent",
        "can a real person help",
        "please get me a human",
        "I'd like to speak to someone",
    ] {
        text.push_str(&format!("- {line}\n"));
    }
    text.push_str("intent: card_delivery\ncounter:\n- when will my card arrive\n");
    let set = parse_examples("x", &text).unwrap();
    let report = quality_report(&set, &QualitySettings::default());
    let has = |f: &dyn Fn(&QualityWarning) -> bool| report.warnings.iter().any(f);
    assert!(has(
        &|w| matches!(w, QualityWarning::FewExamples { intent, examples: 3, minimum: 10 } if intent == "thanks")
    ));
    assert!(has(
        &|w| matches!(w, QualityWarning::SharedExample { intent, other, .. } if intent == "request_person" && other == "thanks")
    ));
    assert!(has(&|w| matches!(w, QualityWarning::CounterIsExample { intent, .. } if intent == "card_delivery")));
    assert!(
        has(
            &|w| matches!(w, QualityWarning::Overlap { intent, other, .. } if intent == "ask_agent" && other == "request_person")
        ),
        "{:#?}",
        report.warnings
    );
    let json = serde_json::to_value(&report).unwrap();
    assert!(json["warnings"].as_array().unwrap().iter().any(|w| w["kind"] == "few_examples"), "{json}");
}

/// The fixture's model, bit for bit, as trained on the machine this was
/// written on (x86-64 Linux). A machine whose arithmetic or hashing differed
/// would fail here. When the features or the training change on purpose,
/// update both digests, and say so in the commit.
#[test]
fn the_fixture_model_has_the_same_bits_on_every_machine() {
    let set = fixture();
    let model = train(&set, &TrainSettings::default());
    assert_eq!(model.weights_digest(), PINNED_WEIGHTS);
    assert_eq!(set.content_hash(), PINNED_CONTENT);
}

const PINNED_WEIGHTS: &str = "c9760250514461ba0946cfbac4d58c75934275201c84413e29a169209669b535";
const PINNED_CONTENT: &str = "214f929f047783728a19108f9e3df4b5765afafb147c29d47695eb62c6048eba";

proptest::proptest! {
    /// Any text is read without a panic, and every problem's label lies on its line.
    #[test]
    fn any_text_is_read_without_panic(text in "(intent: [a-z ]{0,6}\n|counter:\n|examples:\n|- [a-zé ]{0,8}\n|-\n|#.*\n|[ \t\u{feff}]{0,2}\n|[^\n]{0,10}\n){0,12}") {
        if let Err(errors) = parse_examples("p.intents", &text) {
            for error in &errors {
                for problem in error.problems() {
                    use miette::Diagnostic;
                    for label in problem.labels().into_iter().flatten() {
                        let end = label.offset() + label.len();
                        proptest::prop_assert!(end <= text.len());
                        proptest::prop_assert!(text.is_char_boundary(label.offset()) && text.is_char_boundary(end));
                        let line = text[..label.offset()].matches('\n').count() + 1;
                        proptest::prop_assert_eq!(line, problem.line());
                    }
                }
            }
        }
    }
}
