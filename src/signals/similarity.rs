//! placeholder until delivered
pub fn normalize(s: &str) -> String {
    s.to_lowercase()
}
