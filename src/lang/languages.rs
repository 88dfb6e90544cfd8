//! The languages a policy's conversations are in (`language "de" { ... }`): the
//! built-in lists they select and the words the policy adds, for the compiler and
//! the checker's lints.

use crate::signals::language::{Language, Languages, OwnWords};
use crate::syntax::ast::{Item, LanguageDecl, LanguageList, Policy};

/// The policy's `language` declarations with a known code.
pub(crate) fn declarations(policy: &Policy) -> impl Iterator<Item = (Language, &LanguageDecl)> {
    policy.items.iter().filter_map(|item| match item {
        Item::Language(decl) => Language::from_code(&decl.code.node).map(|l| (l, decl)),
        _ => None,
    })
}

/// The languages a policy declares, in order and once each (none: English), and the
/// words it adds to them.
pub fn policy_words(policy: &Policy) -> (Vec<Language>, OwnWords) {
    let mut languages = Vec::new();
    let mut own = OwnWords::default();
    for (language, decl) in declarations(policy) {
        if !languages.contains(&language) {
            languages.push(language);
        }
        for part in &decl.parts {
            let into = match part.node.list {
                LanguageList::Negations => &mut own.negations,
                LanguageList::ClauseEnds => &mut own.clause_ends,
                LanguageList::Fallbacks => &mut own.fallbacks,
                LanguageList::PersonRequests => &mut own.person_requests,
            };
            into.extend(part.node.phrases.iter().map(|p| p.node.clone()));
        }
    }
    (languages, own)
}

/// The lists a policy's conversations are read with.
pub fn policy_languages(policy: &Policy) -> Languages {
    let (languages, own) = policy_words(policy);
    Languages::new(&languages, &own)
}
