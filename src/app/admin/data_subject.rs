//! Data subjects (LGPD, Lei 13.709/2018, art. 18; CNJ Res. 363/2021): the court answers a
//! person's request about their data through its encarregado, who asks the service for
//! everything it keeps about them by their CPF. Every lookup is audited with the admin who
//! made it. Actions on that data (its anonymisation) go here too, on the same CPF.

use crate::app::{Admin, App, AppError};
use crate::{
    domain::{cpf::Cpf, field_errors::FieldErrors},
    store::{DataSubject, SubjectLookup},
};

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
