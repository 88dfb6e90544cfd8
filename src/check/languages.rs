//! A policy's `language` declarations: each code known and declared once, each list
//! of a block given once; the languages and words they give the compiler; and the
//! lint on built-in sentiment in a policy whose conversations are not in English.

use std::collections::HashMap;

use miette::SourceSpan;

use super::err::did_you_mean;
use super::{CheckError, Checker};
use crate::lang::languages::declarations;
pub use crate::lang::languages::policy_words;
use crate::lang::lets::Reach;
use crate::signals::language::Language;
use crate::syntax::ast::{ExprKind, Item};

/// The functions that read the built-in sentiment when a message has no annotation.
const SENTIMENT_FUNCTIONS: &[&str] = &["sentiment", "min_sentiment", "sentiment_trend"];

/// "did you mean" for a language written by its name ("German"), a three-letter
/// code ("deu") or misspelled.
fn suggest(code: &str) -> String {
    let lower = code.trim().to_lowercase();
    let by_name = Language::ALL.into_iter().find(|l| {
        l.name().eq_ignore_ascii_case(&lower)
            || lower.get(..2).is_some_and(|two| two == l.code() && lower.len() <= 5)
            || three_letter(*l).contains(&lower.as_str())
    });
    let known = Language::ALL.map(|l| format!("`{}` ({})", l.code(), l.name())).join(", ");
    let hint = match by_name {
        Some(l) => Some(format!("did you mean `{}`?", l.code())),
        None => did_you_mean(&lower, Language::ALL.iter().map(|l| l.code())),
    };
    match hint {
        Some(h) => format!("{h} The languages with built-in lists are {known}"),
        None => format!("the languages with built-in lists are {known}"),
    }
}

/// ISO 639-2 codes, which people also write.
fn three_letter(language: Language) -> &'static [&'static str] {
    match language {
        Language::English => &["eng"],
        Language::German => &["deu", "ger"],
        Language::French => &["fra", "fre"],
        Language::Spanish => &["spa"],
        Language::Italian => &["ita"],
        Language::Dutch => &["nld", "dut"],
        Language::Portuguese => &["por"],
    }
}

impl<'p> Checker<'p> {
    pub(super) fn check_languages(&mut self) {
        let mut first: HashMap<Language, SourceSpan> = HashMap::new();
        for item in &self.policy.items {
            let Item::Language(decl) = item else { continue };
            let code = &decl.code;
            match Language::from_code(&code.node) {
                None => self.report(CheckError::UnknownLanguage {
                    code: code.node.clone(),
                    span: code.span,
                    help: suggest(&code.node),
                }),
                Some(language) => match first.get(&language) {
                    Some(&at) => self.report(CheckError::RepeatedLanguage {
                        code: code.node.clone(),
                        span: code.span,
                        first: at,
                    }),
                    None => {
                        first.insert(language, code.span);
                    }
                },
            }
            let mut given = Vec::new();
            for part in &decl.parts {
                if given.contains(&part.node.list) {
                    self.report(CheckError::RepeatedLanguageList {
                        code: code.node.clone(),
                        list: part.node.list.keyword(),
                        span: part.span,
                    });
                }
                given.push(part.node.list);
            }
        }
    }

    /// Warns on each rule that reads the built-in sentiment when no declared
    /// language is English.
    pub(super) fn lint_sentiment_language(&mut self) {
        let languages: Vec<Language> = {
            let mut l: Vec<Language> = declarations(self.policy).map(|(l, _)| l).collect();
            l.dedup();
            l
        };
        if languages.is_empty() || languages.contains(&Language::English) {
            return;
        }
        let names = languages.iter().map(|l| l.name()).collect::<Vec<_>>().join(" and ");
        let rules = self.checked_rules.clone();
        for (rule, _) in rules {
            let mut seen = vec![false; self.lets.decls.len()];
            let mut at = None;
            self.lets.reach(&rule.when, &mut seen, |e| match &e.node {
                ExprKind::Call { function, .. } if SENTIMENT_FUNCTIONS.contains(&function.node.as_str()) => {
                    at = Some(e.span);
                    Reach::Found
                }
                _ => Reach::Enter,
            });
            if let Some(span) = at {
                self.report(CheckError::SentimentLanguage { languages: names.clone(), span });
            }
        }
    }
}
