//! `handoff fmt` on generated policies: the output parses to the same tree, formatting
//! it again changes nothing, every comment survives in order, and the formatted policy
//! decides exactly as the original on a few conversations.
//!
//! The generator follows the grammar and the types (so most policies compile): rules and
//! lets over nested `not`, parentheses, minus signs, arithmetic, calls, lists and phrase
//! tests, with comments, line breaks and byte order marks between any two tokens, and
//! `when` glued to what follows (`whennot`).

// Tests assert by unwrapping and indexing: a panic is a test failure.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use handoff::syntax::ast::{Item, Policy as Ast};
use handoff::syntax::{fmt::format_policy, parse_policy, parser::comments};
use handoff::{Context, Conversation, Decision, Policy};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};

/// A generated expression, as a tree so proptest can shrink it.
#[derive(Debug, Clone)]
enum Gen {
    /// Tokens printed as they are.
    Leaf(Vec<&'static str>),
    Not(Box<Gen>),
    Neg(Box<Gen>),
    Paren(Box<Gen>),
    Binary(&'static str, Box<Gen>, Box<Gen>),
    Call(&'static str, Vec<Gen>),
}

impl Gen {
    fn tokens(&self, out: &mut Vec<&'static str>) {
        match self {
            Gen::Leaf(t) => out.extend(t),
            Gen::Not(e) => {
                out.push("not");
                e.tokens(out);
            }
            Gen::Neg(e) => {
                out.push("-");
                e.tokens(out);
            }
            Gen::Paren(e) => {
                out.push("(");
                e.tokens(out);
                out.push(")");
            }
            Gen::Binary(op, l, r) => {
                l.tokens(out);
                out.push(op);
                r.tokens(out);
            }
            Gen::Call(f, args) => {
                out.push(f);
                out.push("(");
                for (i, a) in args.iter().enumerate() {
                    if i > 0 {
                        out.push(",");
                    }
                    a.tokens(out);
                }
                out.push(")");
            }
        }
    }
}

fn leaf(tokens: &[&'static str]) -> Gen {
    Gen::Leaf(tokens.to_vec())
}

fn number() -> impl Strategy<Value = Gen> {
    let leaves = prop_oneof![
        prop::sample::select(vec!["0", "1", "2", "3", "0.5", "10", "turns"]).prop_map(|n| leaf(&[n])),
        Just(Gen::Call("sentiment", vec![leaf(&["customer.last 3"])])),
        Just(Gen::Call("min_sentiment", vec![leaf(&["customer.any"])])),
        Just(Gen::Call("fallbacks", vec![leaf(&["bot.any"])])),
        Just(leaf(&["repeats", "(", "customer.last 5", ",", "similarity", ":", "0.85", ")"])),
    ];
    leaves.prop_recursive(4, 16, 2, |inner| {
        prop_oneof![
            inner.clone().prop_map(|e| Gen::Neg(Box::new(e))),
            inner.clone().prop_map(|e| Gen::Paren(Box::new(e))),
            (prop::sample::select(vec!["+", "-", "*"]), inner.clone(), inner).prop_map(|(op, l, r)| Gen::Binary(
                op,
                Box::new(l),
                Box::new(r)
            )),
        ]
    })
}

fn condition(lets: Vec<&'static str>) -> impl Strategy<Value = Gen> {
    let mut leaves: Vec<BoxedStrategy<Gen>> = vec![
        Just(leaf(&["true"])).boxed(),
        Just(leaf(&["customer.last", "mentions", "\"human\""])).boxed(),
        Just(leaf(&["customer.any", "mentions", "[", "\"refund\"", ",", "\"money back\"", "]", "unless", "negated"]))
            .boxed(),
        Just(leaf(&["bot.last", "matches", "/sorry/i"])).boxed(),
        Just(leaf(&["customer.tier", "==", "\"gold\""])).boxed(),
        Just(leaf(&["customer.tier", "in", "[", "\"gold\"", ",", "\"vip\"", "]"])).boxed(),
        Just(leaf(&["has_intent", "(", "customer.last", ",", "\"refund\"", ")"])).boxed(),
        Just(leaf(&["duration", ">", "5m"])).boxed(),
        (prop::sample::select(vec!["<", ">=", "==", "!="]), number(), number())
            .prop_map(|(op, l, r)| Gen::Binary(op, Box::new(l), Box::new(r)))
            .boxed(),
    ];
    if !lets.is_empty() {
        leaves.push(prop::sample::select(lets).prop_map(|n| leaf(&[n])).boxed());
    }
    prop::strategy::Union::new(leaves).prop_recursive(6, 40, 2, |inner| {
        prop_oneof![
            inner.clone().prop_map(|e| Gen::Not(Box::new(e))),
            inner.clone().prop_map(|e| Gen::Not(Box::new(Gen::Not(Box::new(e))))),
            inner.clone().prop_map(|e| Gen::Paren(Box::new(e))),
            (prop::sample::select(vec!["and", "or"]), inner.clone(), inner).prop_map(|(op, l, r)| Gen::Binary(
                op,
                Box::new(l),
                Box::new(r)
            )),
        ]
    })
}

const LETS: [&str; 3] = ["asked", "upset", "stuck"];
const OUTCOMES: &[&str] = &[
    "escalate to general",
    "escalate to billing priority urgent reason \"money\"",
    "offer human via general",
    "flag \"review\"",
];

/// What goes between two tokens: mostly a space, sometimes a comment, a line break,
/// a byte order mark, or nothing where the two tokens stay apart without a space.
const SEPARATORS: &[&str] = &[
    " ",
    " ",
    " ",
    " ",
    "",
    "",
    "\n  ",
    "\t",
    " # note\n  ",
    "#c\n",
    "\n  # own line\n  ",
    " #cr\r",
    "\u{FEFF}",
    "\r\n ",
];

fn is_word_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_' || c == '/'
}

/// Tokens joined by the chosen separators; an empty one only where it is safe.
fn join(tokens: &[&str], choices: &[u8], next_choice: &mut usize, out: &mut String) {
    for t in tokens {
        let mut sep = SEPARATORS[usize::from(choices[*next_choice % choices.len()]) % SEPARATORS.len()];
        *next_choice += 1;
        let glued = out.chars().last().is_some_and(is_word_char) && t.starts_with(is_word_char);
        if sep.is_empty() && (glued || out.ends_with(['<', '>', '=', '!'])) {
            sep = " ";
        }
        out.push_str(sep);
        out.push_str(t);
    }
}

#[derive(Debug, Clone)]
struct Generated {
    lets: Vec<Gen>,
    rules: Vec<(Gen, usize)>,
    /// Whether `when` is glued to its condition.
    glue_when: Vec<bool>,
    choices: Vec<u8>,
}

fn generated() -> impl Strategy<Value = Generated> {
    (
        condition(vec![]),
        condition(vec!["asked"]),
        condition(vec!["asked", "upset"]),
        prop::collection::vec((condition(LETS.to_vec()), 0..OUTCOMES.len()), 1..4),
        prop::collection::vec(any::<bool>(), 4),
        prop::collection::vec(any::<u8>(), 64..256),
    )
        .prop_map(|(a, b, c, rules, glue_when, choices)| Generated {
            lets: vec![a, b, c],
            rules,
            glue_when,
            choices,
        })
}

impl Generated {
    fn source(&self) -> String {
        let mut s = String::from("# generated\npolicy \"generated\" version 1\n\nqueues {\n  general\n  billing\n}\n");
        let mut at = 0;
        for (name, e) in LETS.iter().zip(&self.lets) {
            let mut tokens = vec!["let", name, "="];
            e.tokens(&mut tokens);
            s.push('\n');
            join(&tokens, &self.choices, &mut at, &mut s);
        }
        for (i, (e, outcome)) in self.rules.iter().enumerate() {
            s.push_str(&format!("\n\nrule r{i} {{\n  when"));
            let mut tokens = Vec::new();
            e.tokens(&mut tokens);
            if self.glue_when[i % self.glue_when.len()] {
                s.push_str(tokens[0]);
                tokens.remove(0);
            }
            join(&tokens, &self.choices, &mut at, &mut s);
            s.push_str(&format!("\n  {}\n}}", OUTCOMES[*outcome]));
        }
        s.push_str("\n\ntest \"t\" { # in a test\n  customer: \"hi\" # after a line\n  expect nothing\n}\n");
        s
    }
}

fn comment_texts(source: &str) -> Vec<String> {
    comments(source).iter().map(|s| source[s.offset()..s.offset() + s.len()].trim_end().to_string()).collect()
}

/// Where each comment sits: inside which item's condition, inside which item, or
/// before which item. Formatting may move a comment within these bounds, never across.
fn placements(source: &str, ast: &Ast) -> Vec<String> {
    let inside =
        |offset: usize, span: miette::SourceSpan| span.offset() <= offset && offset < span.offset() + span.len();
    comments(source)
        .iter()
        .map(|c| {
            let at = c.offset();
            for (i, item) in ast.items.iter().enumerate() {
                let condition = match item {
                    Item::Let(l) => Some(l.value.span),
                    Item::Rule(r) => Some(r.when.span),
                    _ => None,
                };
                if condition.is_some_and(|span| inside(at, span)) {
                    return format!("in the condition of item {i}");
                }
                if inside(at, item.span()) {
                    return format!("in item {i}");
                }
            }
            format!("before item {}", ast.items.iter().filter(|item| item.span().offset() < at).count())
        })
        .collect()
}

fn conversations() -> Vec<Conversation> {
    let texts = [
        r#"{"id": "a", "messages": [{"role": "customer", "text": "I want a human"}, {"role": "bot", "text": "Sorry, I did not get that"}, {"role": "customer", "text": "refund please"}]}"#,
        r#"{"id": "b", "customer": {"tier": "gold"}, "messages": [{"role": "customer", "text": "hello"}, {"role": "bot", "text": "hi, how can I help"}]}"#,
        r#"{"id": "c", "messages": [{"role": "customer", "text": "this is awful, where is my money back"}, {"role": "customer", "text": "this is awful, where is my money back"}, {"role": "bot", "text": "sorry about that"}]}"#,
    ];
    texts.iter().map(|t| handoff::transcript::parse_json("c.json", t).unwrap()).collect()
}

/// A decision without the policy that made it (its hash covers the layout).
fn decided(policy: &Policy, c: &Conversation) -> Decision {
    let mut d = policy.evaluate(c, &Context::default());
    d.policy.hash = "".into();
    d
}

/// Checks the properties for one policy text; returns whether it compiled (and so
/// whether decisions were compared).
fn check_formatting(source: &str, conversations: &[Conversation]) -> Result<bool, TestCaseError> {
    let ast = match parse_policy(source) {
        Ok(ast) => ast,
        Err(e) => return Err(TestCaseError::fail(format!("the generated policy does not parse: {e:?}\n{source}"))),
    };
    let once = format_policy(&ast, source);
    let reparsed = parse_policy(&once).map_err(|e| {
        TestCaseError::fail(format!(
            "the formatted policy does not parse: {e:?}\n--- source\n{source}\n--- formatted\n{once}"
        ))
    })?;
    prop_assert!(reparsed == ast, "formatting changed the tree\n--- source\n{source}\n--- formatted\n{once}");
    let twice = format_policy(&reparsed, &once);
    prop_assert_eq!(&twice, &once, "formatting is not idempotent\n--- source\n{}", source);
    prop_assert_eq!(comment_texts(source), comment_texts(&once), "comments changed\n--- formatted\n{}", once);
    prop_assert_eq!(
        placements(source, &ast),
        placements(&once, &reparsed),
        "a comment moved\n--- source\n{}\n--- formatted\n{}",
        source,
        once
    );
    let Ok(original) = Policy::from_source("p.handoff", source) else { return Ok(false) };
    let formatted = Policy::from_source("p.handoff", &once)
        .map_err(|e| TestCaseError::fail(format!("the formatted policy does not compile: {e:?}\n{once}")))?;
    for c in conversations {
        prop_assert_eq!(decided(&original, c), decided(&formatted, c), "decisions differ\n--- formatted\n{}", once);
    }
    Ok(true)
}

/// Run by hand (not the `proptest!` macro) to count how many generated policies
/// compiled: the decision oracle must not pass by never running.
#[test]
fn formatting_keeps_meaning_comments_and_decisions() {
    let conversations = conversations();
    let compiled = std::cell::Cell::new(0u32);
    let cases = 96;
    let mut runner = TestRunner::new(Config { cases, failure_persistence: None, ..Config::default() });
    let result = runner.run(&generated(), |g| {
        let ok = check_formatting(&g.source(), &conversations)?;
        compiled.set(compiled.get() + u32::from(ok));
        Ok(())
    });
    if let Err(e) = result {
        panic!("{e}");
    }
    assert!(compiled.get() * 2 >= cases, "only {} of {cases} generated policies compiled", compiled.get());
}

/// The tester's reproducer: `when` glued to a run of `not` (the old text pre-scan
/// counted one `not` fewer than the formatted text, which it then refused).
#[test]
fn when_glued_to_not_formats_to_a_policy_that_parses() {
    let conversations = conversations();
    for n in [1, 63, 64, 65, 200] {
        let source = format!(
            "policy \"p\" version 1\nqueues {{ general }}\nrule r {{\n  when{}customer.last mentions \"human\"\n  escalate to general\n}}\n",
            "not ".repeat(n)
        );
        assert!(source.contains("whennot"));
        check_formatting(&source, &conversations).unwrap();
    }
}

/// A comment inside a condition stays inside it, between the same two tokens.
#[test]
fn comments_stay_inside_the_condition() {
    let source = "policy \"p\" version 1\nqueues { general }\nlet asked = customer.last mentions [ # the phrases\n  \"human\",\n  # a person\n  \"person\"] unless # why\n negated\nrule r {\n  when not # first\n    asked or (turns # count\n    > 3)\n  escalate to general\n}\n";
    let ast = parse_policy(source).unwrap();
    let formatted = format_policy(&ast, source);
    let rule = &formatted[formatted.find("rule r").unwrap()..];
    let when = &rule[..rule.find("escalate").unwrap()];
    for comment in ["# first", "# count"] {
        assert!(when.contains(comment), "{comment} left the condition:\n{formatted}");
    }
    let the_let = &formatted[formatted.find("let asked").unwrap()..formatted.find("rule r").unwrap()];
    for comment in ["# the phrases", "# a person", "# why"] {
        assert!(the_let.contains(comment), "{comment} left the let:\n{formatted}");
    }
    check_formatting(source, &conversations()).unwrap();
}

/// A comment written at the end of a line stays at the end of that line: after a
/// list item's comma, after an outcome, after an opening or a closing brace.
#[test]
fn trailing_comments_stay_on_their_line() {
    let source = "policy \"p\" version 1\nlanguage \"de\" {\n  person_requests [\n    \"Mensch\",  # German market\n    \"Person\",\n  ]\n}\nqueues {  # the queues\n  general \"General support\"\n}  # after the queues\nrule human {\n  when customer.last mentions [\"Mensch\", \"human\"] unless negated\n  escalate to general  # go\n}  # after the rule\n";
    let ast = parse_policy(source).unwrap();
    let formatted = format_policy(&ast, source);
    for line in [
        "    \"Mensch\",  # German market",
        "queues {  # the queues",
        "}  # after the queues",
        "  escalate to general  # go",
        "}  # after the rule",
    ] {
        assert!(formatted.lines().any(|l| l == line), "`{line}` is not a line of:\n{formatted}");
    }
    check_formatting(source, &conversations()).unwrap();
}

/// A phrase list with comments among its items, in a let or after `mentions`, is laid
/// out one item a line with each comment after its item, as people write it.
#[test]
fn commented_phrase_lists_keep_one_item_a_line() {
    let source = "policy \"p\" version 1\nqueues { general }\nlet persons = [\"Mensch\",  # German market\n  \"human\"]\nrule human {\n  when customer.last mentions [ # who\n    \"Mensch\",  # German market\n    # English\n    \"human\"] unless negated or customer.last mentions persons\n  escalate to general\n}\n";
    let ast = parse_policy(source).unwrap();
    let formatted = format_policy(&ast, source);
    let expected = "let persons = [\n  \"Mensch\",  # German market\n  \"human\",\n]\n";
    assert!(formatted.contains(expected), "the let's list:\n{formatted}");
    let expected = "  when customer.last mentions [  # who\n    \"Mensch\",  # German market\n    # English\n    \"human\",\n  ] unless negated";
    assert!(!formatted.contains(expected), "an `or` after the list keeps the token layout:\n{formatted}");
    assert!(formatted.contains("\"Mensch\",  # German market\n"), "{formatted}");
    check_formatting(source, &conversations()).unwrap();
    let rule_alone = source.replace(" or customer.last mentions persons", "");
    let formatted = format_policy(&parse_policy(&rule_alone).unwrap(), &rule_alone);
    assert!(formatted.contains(expected), "the rule's list:\n{formatted}");
    check_formatting(&rule_alone, &conversations()).unwrap();
}
