//! The privacy notice, `/privacidade` (LGPD, Lei 13.709/2018, art. 9): who answers for the
//! personal data the service keeps, why it is kept and on what legal basis, for how long,
//! with whom it goes, and how a person exercises their rights. Whatever differs from court
//! to court or from one deployment to another (the controller, the encarregado, the retention
//! periods, whether Google's calendar is used) is read from the settings, so the page says
//! what this service does rather than what it might.

use axum::{Router, extract::State, http::StatusCode, response::Response, routing::get};
use minijinja::context;
use serde::Serialize;
use tower_http::compression::CompressionLayer;

use super::pages::{pages, ser};
use crate::{
    app::App,
    config::{CalendarProvider, Settings},
    domain::dates::days_in_words,
};

pub fn router() -> Router<App> {
    // A long page of text with no secret in it: compressed, as the form is.
    Router::new()
        .route("/privacidade", get(notice))
        .layer(CompressionLayer::new())
}

/// What the notice is filled with.
#[derive(Debug, Serialize)]
struct Notice<'a> {
    controller_name: &'a str,
    controller_address: &'a str,
    dpo_name: &'a str,
    dpo_email: &'a str,
    dpo_phone: Option<&'a str>,
    email_provider: Option<&'a str>,
    policy_url: Option<&'a str>,
    /// "5 anos": after a request is final, until its personal data is anonymised.
    anonymise_after: String,
    /// "30 dias": until copies of the e-mails are removed.
    mail_files_after: String,
    /// The meeting is an event the service makes in the zone's Google calendar.
    google_calendar: bool,
    /// That event lists the requester's e-mail among its guests.
    requester_in_calendar: bool,
    /// Meetings happen on Google Meet: made by the calendar, or rooms and links on Google's
    /// hosts.
    google_meet: bool,
}

impl<'a> Notice<'a> {
    fn of(settings: &'a Settings) -> Notice<'a> {
        let privacy = &settings.privacy;
        let google_calendar = settings.calendar.provider == CalendarProvider::Google;
        let google_meet = google_calendar
            || settings
                .calendar
                .allowed_link_hosts
                .iter()
                .any(|host| is_google(host));
        Notice {
            controller_name: &privacy.controller_name,
            controller_address: &privacy.controller_address,
            dpo_name: &privacy.dpo_name,
            dpo_email: &privacy.dpo_email,
            dpo_phone: privacy.dpo_phone.as_deref(),
            email_provider: privacy.email_provider.as_deref(),
            policy_url: privacy.policy_url.as_ref().map(|url| url.as_str()),
            anonymise_after: days_in_words(settings.retention.anonymise_after_days),
            mail_files_after: days_in_words(settings.retention.mail_files_days),
            google_calendar,
            requester_in_calendar: google_calendar && settings.calendar.add_requester_as_attendee,
            google_meet,
        }
    }
}

fn is_google(host: &str) -> bool {
    let host = host.trim().to_ascii_lowercase();
    host == "google.com" || host.ends_with(".google.com")
}

async fn notice(State(app): State<App>) -> Response {
    pages().render(
        StatusCode::OK,
        "privacidade.html",
        context! {
            section => "privacy",
            notice => ser(Notice::of(&app.settings)),
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings(overrides: &[(&str, serde_json::Value)]) -> Settings {
        let mut figment = Settings::builtin();
        for (key, value) in overrides {
            figment = figment.merge((*key, value.clone()));
        }
        Settings::from_figment(figment).expect("valid settings")
    }

    #[test]
    fn google_is_named_only_when_the_meetings_go_through_it() {
        let shipped = settings(&[]);
        let notice = Notice::of(&shipped);
        assert!(notice.google_meet, "the shipped links are Meet's");
        assert!(!notice.google_calendar && !notice.requester_in_calendar);

        let elsewhere = settings(&[(
            "calendar.allowed_link_hosts",
            serde_json::json!(["conferencia.tre-pa.jus.br"]),
        )]);
        assert!(!Notice::of(&elsewhere).google_meet);

        let calendar = settings(&[
            ("calendar.provider", serde_json::json!("google")),
            ("calendar.credentials", serde_json::json!("/etc/key.json")),
            (
                "calendar.add_requester_as_attendee",
                serde_json::json!(true),
            ),
        ]);
        let notice = Notice::of(&calendar);
        assert!(notice.google_meet && notice.google_calendar && notice.requester_in_calendar);
    }

    #[test]
    fn the_retention_periods_are_written_in_words() {
        let notice_settings = settings(&[
            ("retention.anonymise_after_days", serde_json::json!(730)),
            ("retention.mail_files_days", serde_json::json!(1)),
        ]);
        let notice = Notice::of(&notice_settings);
        assert_eq!(notice.anonymise_after, "2 anos");
        assert_eq!(notice.mail_files_after, "1 dia");
    }
}
