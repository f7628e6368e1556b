//! Data subjects (LGPD, Lei 13.709/2018, art. 18; CNJ Res. 363/2021): the court answers a
//! person's request about their data through its encarregado, who asks the service for
//! everything it keeps about them by their CPF. Every lookup is audited with the admin who
//! made it. Actions on that data (its anonymisation) go here too, on the same CPF.

use crate::app::{Admin, App, AppError};
use crate::{
    domain::{
        cpf::Cpf,
        field_errors::FieldErrors,
        retention::{Left, may_anonymise},
    },
    store::{DataSubject, SubjectLookup, Why},
};

/// What anonymising a person did: their requests anonymised now, and those left, open
/// (still being attended) or on legal hold, by protocol.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SubjectAnonymised {
    pub anonymised: Vec<String>,
    pub open: Vec<String>,
    pub held: Vec<String>,
    /// Same-day tickets over (not waiting or in a call) anonymised now.
    pub tickets: u64,
}

impl App {
    /// Everything kept about the person with CPF `cpf` (with or without punctuation): a CPF
    /// that does not check is a field error, and nothing is read or recorded.
    pub async fn admin_data_subject(
        &self,
        admin: &Admin,
        cpf: &str,
    ) -> Result<DataSubject, AppError> {
        let cpf = subject_cpf(cpf)?;
        let fingerprint = self.signing_key.cpf_fingerprint(&cpf);
        let found = self
            .store
            .data_subject(&SubjectLookup {
                cpf: &cpf,
                fingerprint: &fingerprint,
                admin: admin.id(),
                now: self.now(),
            })
            .await?;
        tracing::info!(
            staff = admin.id(),
            requests = found.requests.len(),
            queue_tickets = found.tickets.len(),
            jobs = found.jobs.len(),
            "data subject looked up"
        );
        Ok(found)
    }
}

impl App {
    /// Anonymises now, whatever their age, the person's final requests not on legal hold
    /// and their same-day tickets that are over, as retention would; reports the requests it
    /// left and why. Audited with the admin, without the CPF.
    pub async fn admin_anonymise_subject(
        &self,
        admin: &Admin,
        cpf: &str,
    ) -> Result<SubjectAnonymised, AppError> {
        let cpf = subject_cpf(cpf)?;
        let now = self.now();
        let mut outcome = SubjectAnonymised::default();
        let mut due = Vec::new();
        for request in self.store.requests_to_anonymise(cpf.as_str()).await? {
            if request.anonymised {
                continue;
            }
            match may_anonymise(request.status, request.legal_hold) {
                Ok(()) => due.push((request.id, request.protocol)),
                Err(Left::Open) => outcome.open.push(request.protocol),
                Err(Left::Held) => outcome.held.push(request.protocol),
            }
        }
        let ids: Vec<i64> = due.iter().map(|(id, _)| *id).collect();
        outcome.anonymised = self
            .store
            .anonymise_requests(&ids, Why::DataSubject { admin: admin.id() }, now)
            .await?;
        // One whose last e-mail is still queued is not done with: it counts as open.
        outcome.open.extend(
            due.into_iter()
                .map(|(_, protocol)| protocol)
                .filter(|protocol| !outcome.anonymised.contains(protocol)),
        );
        let tickets = self.store.ended_tickets_of_cpf(cpf.as_str()).await?;
        outcome.tickets = self.store.anonymise_tickets(&tickets, now, now).await?;
        self.store
            .audit_subject_anonymisation(
                admin.id(),
                &self.signing_key.cpf_fingerprint(&cpf),
                serde_json::json!({
                    "anonymised": outcome.anonymised.len(),
                    "open": outcome.open,
                    "held": outcome.held,
                    "tickets": outcome.tickets,
                }),
                now,
            )
            .await?;
        tracing::info!(
            staff = admin.id(),
            anonymised = outcome.anonymised.len(),
            open = outcome.open.len(),
            held = outcome.held.len(),
            "data subject anonymised"
        );
        Ok(outcome)
    }
}

/// The CPF an admin typed, under the field `cpf`.
fn subject_cpf(input: &str) -> Result<Cpf, AppError> {
    Cpf::parse(input).map_err(|error| {
        let mut errors = FieldErrors::new();
        errors.add("cpf", error.to_string());
        AppError::Invalid(errors)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cpf_is_taken_with_or_without_punctuation_and_refused_under_its_field() {
        for typed in ["123.456.789-09", "12345678909", " 123456789-09 "] {
            assert_eq!(subject_cpf(typed).unwrap().as_str(), "12345678909");
        }
        for typed in ["", "123.456.789-00", "111.111.111-11", "abc"] {
            match subject_cpf(typed) {
                Err(AppError::Invalid(errors)) => {
                    assert_eq!(errors.fields().collect::<Vec<_>>(), ["cpf"], "{typed:?}");
                }
                other => panic!("{typed:?}: {other:?}"),
            }
        }
    }
}
