//! Source role names (`user`, `assistant`, `end-user`, `admin`, ...) to
//! handoff's four roles, case-insensitive, with `--roles` overrides.

use std::collections::BTreeMap;

use crate::transcript::Role;

/// What each source role name (lower-cased) becomes.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct RoleMap {
    names: BTreeMap<String, Role>,
}

impl RoleMap {
    fn of(pairs: &[(&str, Role)]) -> RoleMap {
        let mut map = RoleMap::default();
        for role in Role::ALL {
            map.names.insert(role.as_str().to_owned(), role);
        }
        for (name, role) in pairs {
            map.names.insert((*name).to_owned(), *role);
        }
        map
    }

    /// Chat-completion roles: `user`, `assistant`, `system`, `tool` (a tool's
    /// output is machine text: `system`), plus handoff's own names.
    pub fn chat() -> RoleMap {
        RoleMap::of(&[
            ("user", Role::Customer),
            ("assistant", Role::Bot),
            ("tool", Role::System),
            ("function", Role::System),
            ("developer", Role::System),
        ])
    }

    /// ABCD speakers: `customer`, `agent`, and `action` (the note a button click writes).
    pub fn abcd() -> RoleMap {
        RoleMap::of(&[("action", Role::System)])
    }

    /// Zendesk user roles: `end-user` is the customer, `agent` and `admin` are people.
    pub fn zendesk() -> RoleMap {
        RoleMap::of(&[("end-user", Role::Customer), ("admin", Role::Agent)])
    }

    /// Intercom author types: `user`, `lead` and `contact` are the customer,
    /// `admin` and `team` are people, `bot` is the bot.
    pub fn intercom() -> RoleMap {
        RoleMap::of(&[
            ("user", Role::Customer),
            ("lead", Role::Customer),
            ("contact", Role::Customer),
            ("admin", Role::Agent),
            ("team", Role::Agent),
        ])
    }

    /// Applies `user=customer,assistant=bot` (case-insensitive) over the defaults.
    pub fn apply(&mut self, spec: &str) -> Result<(), String> {
        for pair in spec.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let Some((name, role)) = pair.split_once('=') else {
                return Err(format!("{pair:?} is not NAME=ROLE (e.g. user=customer)"));
            };
            let wanted = role.trim().to_lowercase();
            let Some(role) = Role::ALL.into_iter().find(|r| r.as_str() == wanted) else {
                return Err(format!("{role:?} is not a role (customer, bot, agent or system)"));
            };
            self.names.insert(name.trim().to_lowercase(), role);
        }
        Ok(())
    }

    /// The role a source name stands for.
    pub fn get(&self, name: &str) -> Option<Role> {
        match self.names.get(name) {
            Some(role) => Some(*role),
            None => self.names.get(&name.trim().to_lowercase()).copied(),
        }
    }

    /// The names it knows, for an error's help.
    pub fn known(&self) -> String {
        self.names.keys().map(String::as_str).collect::<Vec<_>>().join(", ")
    }
}
