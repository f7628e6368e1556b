//! LGPD retention (Lei 13.709/2018, arts. 15–16): once a request's purpose has ended, its
//! personal data is replaced or removed, keeping what the court's figures are made of
//! (protocol, zone, states, times, outcome, category, mode). Pure: which requests are due,
//! and what stands in for the data that goes.

use chrono::{DateTime, Duration, NaiveTime, Utc};
use serde_json::Value;

use super::{
    change::Effect,
    dates::{local_date, local_midnight},
    job::Job,
    status::Status,
};

/// The hour (Belém) of the daily run: before the cartórios open.
const RUN_AT: NaiveTime = match NaiveTime::from_hms_opt(3, 0, 0) {
    Some(time) => time,
    None => NaiveTime::MIN,
};

/// The next daily run after `now`: its job, keyed by its day so every worker process that
/// queues it queues one.
pub fn next_run(now: DateTime<Utc>) -> Effect {
    let today = local_date(now);
    let at = |day: chrono::NaiveDate| local_midnight(day) + (RUN_AT - NaiveTime::MIN);
    let day = if at(today) > now {
        today
    } else {
        today + Duration::days(1)
    };
    Effect {
        job: Job::Retention { day },
        key: format!("retention:{day}"),
        run_at: at(day),
        waits_for: None,
    }
}

/// The name an anonymised request and ticket keep, where a name must be.
pub const ANONYMOUS_NAME: &str = "Pessoa anonimizada";
/// Its search key (lower case, no accents), as the inbox's search compares names.
pub const ANONYMOUS_NAME_KEY: &str = "pessoa anonimizada";
/// What stands in for a text that carried personal data (a description, a message, a
/// reason, a note).
pub const REMOVED: &str = "[removido: proteção de dados]";

/// The retention periods, in days.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Retention {
    /// After a request is final, its personal data is anonymised.
    pub anonymise_after_days: u32,
    /// E-mail files and the free texts of finished jobs are removed.
    pub mail_files_days: u32,
}

impl Retention {
    /// Requests final at or before this moment are due.
    pub fn requests_closed_by(&self, now: DateTime<Utc>) -> DateTime<Utc> {
        now - Duration::days(i64::from(self.anonymise_after_days))
    }

    /// E-mail files and finished jobs older than this are cleaned.
    pub fn mail_older_than(&self, now: DateTime<Utc>) -> DateTime<Utc> {
        now - Duration::days(i64::from(self.mail_files_days))
    }
}

/// Why a request of a data subject is left as it is when they ask to be anonymised.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Left {
    /// Still being attended: its data is needed for that.
    Open,
    /// On legal hold.
    Held,
}

/// Whether a request may be anonymised now (whatever its age: a data subject's request
/// does not wait for the retention period), or why not.
pub fn may_anonymise(status: Status, legal_hold: bool) -> Result<(), Left> {
    if legal_hold {
        Err(Left::Held)
    } else if status.is_open() {
        Err(Left::Open)
    } else {
        Ok(())
    }
}

/// What an anonymised request's tracking token hash becomes, followed by its id: unique (the
/// column is) and no SHA-256 hex, so no token opens the request again.
pub const RETIRED_TOKEN_PREFIX: &str = "anonimizado:";

/// A job's payload without the free texts a clerk typed (reasons), which may name the
/// person; every other field stays, so the job still decodes and reads in the admin's list.
pub fn redacted_payload(payload: &Value) -> Value {
    match payload {
        Value::Object(fields) => Value::Object(
            fields
                .iter()
                .map(|(key, value)| {
                    let value = match (key.as_str(), value) {
                        ("reason", Value::String(_)) => Value::String(REMOVED.to_string()),
                        (_, nested) => redacted_payload(nested),
                    };
                    (key.clone(), value)
                })
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.iter().map(redacted_payload).collect()),
        other => other.clone(),
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;
    use serde_json::json;

    use super::*;

    #[test]
    fn periods_count_back_from_now() {
        let now = Utc.with_ymd_and_hms(2026, 12, 2, 12, 0, 0).unwrap();
        let retention = Retention {
            anonymise_after_days: 1825,
            mail_files_days: 30,
        };
        assert_eq!(
            retention.requests_closed_by(now),
            Utc.with_ymd_and_hms(2021, 12, 3, 12, 0, 0).unwrap()
        );
        assert_eq!(
            retention.mail_older_than(now),
            Utc.with_ymd_and_hms(2026, 11, 2, 12, 0, 0).unwrap()
        );
        let at_once = Retention {
            anonymise_after_days: 0,
            mail_files_days: 0,
        };
        assert_eq!(at_once.requests_closed_by(now), now);
    }

    #[test]
    fn only_final_requests_not_on_hold_are_anonymised() {
        for status in Status::ALL {
            let expected = if status.is_final() {
                Ok(())
            } else {
                Err(Left::Open)
            };
            assert_eq!(may_anonymise(status, false), expected, "{status}");
            assert_eq!(may_anonymise(status, true), Err(Left::Held), "{status}");
        }
    }

    #[test]
    fn a_payload_loses_its_reasons_and_keeps_the_rest() {
        type Case<'a> = (&'a str, Value, Value);
        let cases: Vec<Case> = vec![
            (
                "a refusal",
                json!({"request_id": 7, "reason": "Maria pediu por engano"}),
                json!({"request_id": 7, "reason": REMOVED}),
            ),
            (
                "no reason given",
                json!({"request_id": 7, "reason": null, "start": "2026-12-03T12:10:00Z"}),
                json!({"request_id": 7, "reason": null, "start": "2026-12-03T12:10:00Z"}),
            ),
            (
                "nested",
                json!({"notice": {"reason": "texto"}, "ids": [{"reason": "x"}]}),
                json!({"notice": {"reason": REMOVED}, "ids": [{"reason": REMOVED}]}),
            ),
            (
                "nothing to remove",
                json!({"request_id": 1}),
                json!({"request_id": 1}),
            ),
        ];
        for (name, payload, expected) in cases {
            assert_eq!(redacted_payload(&payload), expected, "{name}");
        }
    }

    #[test]
    fn the_next_run_is_the_next_3_am_in_belem() {
        // 05:59 UTC is 02:59 in Belém: today's run is still ahead; 06:00 UTC is 03:00.
        for (now, day, at) in [
            ((2026, 12, 2, 5, 59), "2026-12-02", (2026, 12, 2, 6, 0)),
            ((2026, 12, 2, 6, 0), "2026-12-03", (2026, 12, 3, 6, 0)),
            ((2026, 12, 2, 23, 0), "2026-12-03", (2026, 12, 3, 6, 0)),
        ] {
            let now = Utc
                .with_ymd_and_hms(now.0, now.1, now.2, now.3, now.4, 0)
                .unwrap();
            let run = next_run(now);
            let day: chrono::NaiveDate = day.parse().unwrap();
            assert_eq!(run.job, Job::Retention { day });
            assert_eq!(run.key, format!("retention:{day}"));
            assert_eq!(
                run.run_at,
                Utc.with_ymd_and_hms(at.0, at.1, at.2, at.3, at.4, 0)
                    .unwrap()
            );
        }
    }

    #[test]
    fn retired_hashes_are_no_sha256() {
        assert!(
            RETIRED_TOKEN_PREFIX.contains(':'),
            "hex digits never make a colon"
        );
    }
}
