//! A person files a request.

use std::{net::IpAddr, time::Instant};

use chrono::{DateTime, Datelike, Utc};

use super::{App, AppError, reference_cache::Reference};
use crate::{
    domain::{
        dates::local_date,
        field_errors::FieldErrors,
        schedule::ZoneSchedule,
        submission::{NewRequest, SubmissionInput, SubmissionRules},
    },
    tokens::Token,
};

/// What the requester keeps: the protocol and the secret that lets them follow it.
#[derive(Debug)]
pub struct Receipt {
    pub protocol: String,
    pub tracking_token: Token,
    pub tracking_url: String,
}

const MAX_PREFERRED_DATES: usize = 5;

impl App {
    /// Files `input` from `client`. `type_errors` carries what the transport already found
    /// wrong (a number sent as text, …), so every problem comes back in one answer.
    /// A filled honeypot gets a receipt that looks real and stores nothing.
    pub async fn submit(
        &self,
        input: SubmissionInput,
        type_errors: FieldErrors,
        honeypot_filled: bool,
        client: IpAddr,
    ) -> Result<Receipt, AppError> {
        self.limits
            .submissions
            .hit(&client, Instant::now())
            .map_err(|retry| AppError::RateLimited(retry.0))?;
        let now = self.now();
        if honeypot_filled {
            tracing::info!(%client, "honeypot field filled: submission dropped");
            return decoy_receipt(
                self,
                now.with_timezone(&crate::domain::schedule::SERVICE_TIME_ZONE)
                    .year(),
            );
        }
        let reference = self.reference.get().await?;
        let request = self.validate(&reference, input, type_errors, now)?;
        let token = Token::tracking().map_err(anyhow::Error::from)?;
        let submitted = self
            .store
            .submit(
                &request,
                &token.hash(),
                self.settings.limits.open_requests_per_person,
                now,
            )
            .await?
            .map_err(|refusal| AppError::Invalid(refusal.field_errors()))?;
        tracing::info!(protocol = %submitted.protocol, zone = request.zone, "request submitted");
        Ok(Receipt {
            tracking_url: self.tracking_url(&submitted.protocol, &token),
            protocol: submitted.protocol,
            tracking_token: token,
        })
    }

    /// The submission's rules, judged against the zone's calendar. Kept apart from `submit`
    /// because the rules borrow a non-`Send` closure that must not live across an await.
    fn validate(
        &self,
        reference: &Reference,
        input: SubmissionInput,
        type_errors: FieldErrors,
        now: DateTime<Utc>,
    ) -> Result<NewRequest, AppError> {
        let zone = input
            .zone
            .and_then(|number| i32::try_from(number).ok())
            .and_then(|number| reference.zone(number));
        // An unknown zone is refused below; its dates are judged on the default calendar.
        let schedule = zone.map_or_else(
            || ZoneSchedule::new(None, self.default_window(), Default::default()),
            |zone| reference.zone_schedule(zone, self.default_window()),
        );
        let calendar = schedule.calendar();
        let is_business_day = |date| calendar.is_business_day(date);
        let rules = SubmissionRules {
            today: local_date(now),
            max_days_ahead: i64::from(self.settings.schedule.preferred_dates_max_days),
            max_preferred_dates: MAX_PREFERRED_DATES,
            is_business_day: &is_business_day,
        };
        let zone_given = input.zone.is_some();
        let mut errors = type_errors;
        let parsed = NewRequest::parse(input, &rules);
        if zone.is_none() && zone_given && errors.get("zone").is_none() {
            errors.add("zone", "Esta zona eleitoral não existe.");
        }
        match parsed {
            Ok(request) if errors.is_empty() => Ok(request),
            Ok(_) => Err(AppError::Invalid(errors)),
            Err(field_errors) => {
                errors.merge_new_fields(field_errors);
                Err(AppError::Invalid(errors))
            }
        }
    }

    pub fn tracking_url(&self, protocol: &str, token: &Token) -> String {
        self.links.tracking(protocol, token.expose())
    }
}

/// A bot that fills the hidden field is told it succeeded, so it does not adapt: the
/// protocol is random and leads nowhere, and its token is one the service signed, so that
/// the confirmation page shows it as it shows a real one.
fn decoy_receipt(app: &App, year: i32) -> Result<Receipt, AppError> {
    let random = Token::tracking().map_err(anyhow::Error::from)?;
    let sequence = random
        .expose()
        .bytes()
        .fold(0u32, |acc, b| acc.wrapping_mul(31).wrapping_add(b.into()))
        % 900_000
        + 100_000;
    let protocol = format!("{year}-{sequence:06}");
    let token = decoy_token(app, &protocol);
    Ok(Receipt {
        tracking_url: app.tracking_url(&protocol, &token),
        protocol,
        tracking_token: token,
    })
}

fn decoy_token(app: &App, protocol: &str) -> Token {
    app.signing_key.token(&["contato decoy receipt", protocol])
}

impl App {
    /// Whether the confirmation of `protocol` may be shown to the holder of `token`: its
    /// tracking token, or the one a decoy receipt carried. Anything else is not found.
    pub async fn confirm_receipt(&self, protocol: &str, token: &str) -> Result<(), AppError> {
        let decoy = decoy_token(self, protocol);
        if subtle::ConstantTimeEq::ct_eq(decoy.expose().as_bytes(), token.as_bytes()).into() {
            return Ok(());
        }
        self.track(protocol, token).await.map(|_| ())
    }
}
