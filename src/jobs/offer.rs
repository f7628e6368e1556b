//! Running an `offer.expire` job: an offer nobody picked in time goes back to the clerk.

use super::{JobError, Worker};
use crate::{
    domain::{
        change::{Actor, Refusal},
        command::{Command, ParsedCommand},
        job::Job,
        status::Status,
    },
    store::{StoreError, Transition, ZoneScope},
};

impl Worker {
    /// Closes the offer the request got at `version`, if it still stands: the request goes
    /// back to `triaged`, its times are released and the zone is told (a job of the change).
    pub(super) async fn expire_offer(&self, job: &Job) -> Result<String, JobError> {
        let Job::ExpireOffer {
            request_id,
            version,
        } = *job
        else {
            return Err(JobError::Permanent(format!(
                "a tarefa {} não encerra uma oferta",
                job.kind().as_str()
            )));
        };
        let request = self.request_of(job).await?;
        if request.status != Status::Offered || request.version != version {
            return Ok("ignorado: a oferta já foi respondida, retirada ou substituída".into());
        }
        let command = ParsedCommand {
            command: Command::Expire,
            note: None,
        };
        let asked = Transition {
            id: request_id,
            expected_version: version,
            command: &command,
            actor: Actor::System,
            scope: &ZoneScope::All,
            now: self.clock.now(),
        };
        match self.store.transition(&asked, &self.change_policy).await {
            Ok(Ok(_)) => Ok("oferta encerrada: a solicitação voltou para em análise".into()),
            // A worker clock behind the one that wrote the job: try again later.
            Ok(Err(Refusal::OfferStillOpen)) => {
                Err(JobError::Transient(Refusal::OfferStillOpen.to_string()))
            }
            Ok(Err(refusal)) => Ok(format!("ignorado: {refusal}")),
            // The requester picked or the clerk withdrew meanwhile.
            Err(StoreError::Stale { .. }) => {
                Ok("ignorado: a solicitação mudou antes do prazo".into())
            }
            Err(error) => Err(JobError::store(error)),
        }
    }
}
