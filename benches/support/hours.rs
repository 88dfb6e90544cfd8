//! The business hours the eval bench and `examples/eval_cost.rs` put in the context.

/// Every queue of the shipped policy with hours in a zone other than UTC.
pub const HOURS_CONTEXT: &str = r#"{"timezone": "Europe/Berlin", "queues": {
  "general": {"hours": "Mon-Fri 08:00-20:00, Sat 09:00-13:00"},
  "fraud": {"hours": "Mon-Sun 00:00-23:59"},
  "vulnerable": {"hours": "Mon-Fri 09:00-17:00"},
  "disputes": {"hours": "Mon-Fri 09:00-17:00, Sat 10:00-14:00"},
  "collections": {"hours": "Mon-Fri 09:00-17:00"},
  "refunds": {"hours": "Mon-Fri 09:00-17:00"},
  "loyalty": {"hours": "Mon-Fri 09:00-17:00"},
  "tech": {"hours": "Mon-Sat 07:00-22:00"},
  "vip": {"hours": "Mon-Sun 06:00-23:00"}}}"#;
