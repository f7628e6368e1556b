//! The calendar invitation attached to scheduling e-mails (RFC 5545 / iTIP): one stable UID
//! per request and a SEQUENCE that grows with each change, so the requester's calendar
//! updates or removes the same event instead of adding another.

use chrono::{DateTime, Utc};
use icalendar::{Calendar, Component, Event, EventLike, EventStatus, Property};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    /// A new or moved meeting.
    Request,
    /// The meeting will not happen.
    Cancel,
}

pub struct Invitation<'a> {
    pub method: Method,
    /// `request-<id>@<host>`: the same for every message about one request.
    pub uid: &'a str,
    /// The request's scheduling revision; a cancel uses one more than the last schedule.
    pub sequence: i32,
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    pub summary: &'a str,
    pub description: &'a str,
    pub meet_link: Option<&'a str>,
    pub organizer_email: &'a str,
    pub attendee_email: &'a str,
    pub now: DateTime<Utc>,
}

impl Invitation<'_> {
    pub fn method_name(&self) -> &'static str {
        match self.method {
            Method::Request => "REQUEST",
            Method::Cancel => "CANCEL",
        }
    }

    pub fn to_ics(&self) -> String {
        let mut event = Event::new();
        event
            .uid(self.uid)
            .summary(self.summary)
            .description(self.description)
            .starts(self.start)
            .ends(self.end)
            .timestamp(self.now)
            .add_property("SEQUENCE", self.sequence.to_string())
            .append_property(Property::new(
                "ORGANIZER",
                format!("mailto:{}", self.organizer_email),
            ))
            .append_property(
                Property::new("ATTENDEE", format!("mailto:{}", self.attendee_email))
                    .add_parameter("ROLE", "REQ-PARTICIPANT")
                    .add_parameter("RSVP", "FALSE")
                    .done(),
            );
        if let Some(link) = self.meet_link {
            event.location(link).url(link);
        }
        if self.method == Method::Cancel {
            event.status(EventStatus::Cancelled);
        } else {
            event.status(EventStatus::Confirmed);
        }
        let mut calendar = Calendar::new();
        calendar
            .append_property(Property::new("METHOD", self.method_name()))
            .append_property(Property::new("X-WR-TIMEZONE", "America/Belem"))
            .push(event.done());
        calendar.done().to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use icalendar::{CalendarComponent, DatePerhapsTime};

    fn invitation(method: Method, sequence: i32) -> String {
        Invitation {
            method,
            uid: "request-7@tre-pa.jus.br",
            sequence,
            start: "2026-12-03T12:10:00Z".parse().unwrap(),
            end: "2026-12-03T12:30:00Z".parse().unwrap(),
            summary: "Atendimento Balcão Virtual",
            description: "Linha 1\nLinha 2, com vírgula; e ponto e vírgula",
            meet_link: Some("https://meet.google.com/abc-defg-hij"),
            organizer_email: "nao-responda@tre-pa.jus.br",
            attendee_email: "maria@example.com",
            now: "2026-12-01T10:00:00Z".parse().unwrap(),
        }
        .to_ics()
    }

    #[test]
    fn a_request_parses_back_with_its_uid_sequence_and_times() {
        let text = invitation(Method::Request, 2);
        assert!(text.contains("METHOD:REQUEST"), "{text}");
        let calendar: icalendar::Calendar = text.parse().unwrap();
        let event = calendar
            .components
            .iter()
            .find_map(|c| match c {
                CalendarComponent::Event(event) => Some(event),
                _ => None,
            })
            .unwrap();
        assert_eq!(event.get_uid(), Some("request-7@tre-pa.jus.br"));
        assert_eq!(event.property_value("SEQUENCE"), Some("2"));
        assert_eq!(
            event.get_description(),
            Some("Linha 1\nLinha 2, com vírgula; e ponto e vírgula")
        );
        let start = match event.get_start() {
            Some(DatePerhapsTime::DateTime(icalendar::CalendarDateTime::Utc(start))) => start,
            other => panic!("a UTC start, not {other:?}"),
        };
        let belem = start.with_timezone(&crate::domain::schedule::SERVICE_TIME_ZONE);
        assert_eq!(
            belem.format("%Y-%m-%d %H:%M").to_string(),
            "2026-12-03 09:10"
        );
    }

    #[test]
    fn a_cancel_is_marked_cancelled() {
        let text = invitation(Method::Cancel, 3);
        assert!(
            text.contains("METHOD:CANCEL")
                && text.contains("STATUS:CANCELLED")
                && text.contains("SEQUENCE:3"),
            "{text}"
        );
    }
}
