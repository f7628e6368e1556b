//! The satisfaction survey: the requester answers with the tracking token; clerks read the
//! answer of a request of their zones with its detail.

use super::{App, AppError};
use crate::{
    domain::{
        field_errors::FieldErrors,
        survey::{SurveyAnswer, SurveyInput, SurveyRefusal, may_answer},
    },
    store::{RequestRecord, SurveyRecord},
};

/// A request's survey as its requester finds it.
#[derive(Debug)]
pub struct Survey {
    /// Their answer, once given.
    pub answer: Option<SurveyRecord>,
    /// Whether they may answer now, or why not.
    pub open: Result<(), SurveyRefusal>,
}

impl App {
    /// The request `token` proves and its survey. A wrong token is not found, as on the
    /// tracking page.
    pub async fn survey(
        &self,
        protocol: &str,
        token: &str,
    ) -> Result<(RequestRecord, Survey), AppError> {
        let request = self.verified(protocol, token).await?;
        let survey = self.survey_of(&request).await?;
        Ok((request, survey))
    }

    /// The survey of a request its requester has already proven to hold.
    pub async fn survey_of(&self, request: &RequestRecord) -> Result<Survey, AppError> {
        let answer = self.store.survey_answer(request.id).await?;
        let open = may_answer(request.status, request.outcome, answer.is_some());
        Ok(Survey { answer, open })
    }

    /// The requester's answer: the token first (a wrong one is not found before anything
    /// else is said), then every field's problem at once, then whether the request takes an
    /// answer, judged again under its row lock as the answer is written. `type_errors`
    /// carries what the transport found wrong.
    pub async fn answer_survey(
        &self,
        protocol: &str,
        token: &str,
        input: &SurveyInput,
        type_errors: FieldErrors,
    ) -> Result<SurveyRecord, AppError> {
        let request = self.verified(protocol, token).await?;
        let mut errors = type_errors;
        let parsed = SurveyAnswer::parse(input);
        let answer = match parsed {
            Ok(answer) if errors.is_empty() => answer,
            parsed => {
                if let Err(field_errors) = parsed {
                    errors.merge_new_fields(field_errors);
                }
                return Err(AppError::Invalid(errors));
            }
        };
        let answered = self
            .store
            .answer_survey(request.id, &answer, self.now())
            .await??;
        tracing::info!(
            protocol = %request.protocol,
            rating = answer.rating.value(),
            "satisfaction survey answered"
        );
        Ok(answered)
    }
}
