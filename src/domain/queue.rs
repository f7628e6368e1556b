//! The zone's counter: same-day service without an appointment. A person joins the zone's
//! queue while the counter is open, waits in preferential order, is called into a meeting,
//! and is served, missed, leaves, or is still waiting when the counter closes (and may then
//! turn the ticket into a regular request).
//!
//! The counter is open inside the zone's service window on its business days, never on a
//! holiday, and on the zone's duty days ("plantão") with their own hours.

use chrono::{DateTime, Duration, NaiveDate, NaiveDateTime, NaiveTime, TimeZone, Utc};

use super::{
    change::MeetingSource,
    cpf::Cpf,
    dates::{local_date, long_moment},
    email::Email,
    field_errors::FieldErrors,
    meet_link::MeetLink,
    phone::Phone,
    preferential::{PreferenceTier, Preferential},
    schedule::{SERVICE_TIME_ZONE, ZoneCalendar},
    submission::{checked, non_blank, required},
    text::{CharacterError, Lines, PersonName, Subject, check_characters},
};

/// What the queue's form or JSON carried, before any rule.
#[derive(Debug, Clone, Default)]
pub struct JoinInput {
    pub name: Option<String>,
    pub cpf: Option<String>,
    pub email: Option<String>,
    /// Optional: kept for a request the ticket may become.
    pub phone: Option<String>,
    pub subject: Option<String>,
    pub preferential: Option<String>,
    pub consent: Option<bool>,
}

/// A person joining a zone's queue, every field checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewTicket {
    pub name: PersonName,
    pub cpf: Cpf,
    pub email: Email,
    pub phone: Option<Phone>,
    pub subject: Subject,
    pub preferential: Option<Preferential>,
}

const CONSENT_MESSAGE: &str = "É preciso concordar com o tratamento dos dados para entrar na fila.";

impl NewTicket {
    /// Every problem at once, as the request form does.
    pub fn parse(input: &JoinInput) -> Result<NewTicket, FieldErrors> {
        let mut errors = FieldErrors::new();
        let name = required(&mut errors, "name", &input.name, PersonName::parse);
        let cpf = required(&mut errors, "cpf", &input.cpf, Cpf::parse);
        let email = required(&mut errors, "email", &input.email, Email::parse);
        let phone = match non_blank(&input.phone) {
            None => Some(None),
            Some(phone) => checked(&mut errors, "phone", Phone::parse(phone)).map(Some),
        };
        let subject = required(&mut errors, "subject", &input.subject, Subject::parse);
        let preferential = checked(
            &mut errors,
            "preferential",
            Preferential::parse_optional(input.preferential.as_deref().unwrap_or_default()),
        );
        if input.consent != Some(true) {
            errors.add("consent", CONSENT_MESSAGE);
        }
        match (name, cpf, email, phone, subject, preferential) {
            (
                Some(name),
                Some(cpf),
                Some(email),
                Some(phone),
                Some(subject),
                Some(preferential),
            ) if errors.is_empty() => Ok(NewTicket {
                name,
                cpf,
                email,
                phone,
                subject,
                preferential,
            }),
            _ => Err(errors),
        }
    }
}

/// Where a ticket is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TicketStatus {
    Waiting,
    /// A clerk called the person into a meeting.
    Called,
    Attended,
    /// Called, and did not join within the grace time.
    Missed,
    /// The person left the queue.
    Left,
    /// Still waiting when the counter closed.
    Closed,
}

impl TicketStatus {
    pub const ALL: [TicketStatus; 6] = [
        Self::Waiting,
        Self::Called,
        Self::Attended,
        Self::Missed,
        Self::Left,
        Self::Closed,
    ];

    /// The API's and the database's name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Waiting => "waiting",
            Self::Called => "called",
            Self::Attended => "attended",
            Self::Missed => "missed",
            Self::Left => "left",
            Self::Closed => "closed",
        }
    }

    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|status| status.as_str() == name)
    }

    /// What people read.
    pub fn label(self) -> &'static str {
        match self {
            Self::Waiting => "Aguardando",
            Self::Called => "Chamado(a)",
            Self::Attended => "Atendido(a)",
            Self::Missed => "Não compareceu",
            Self::Left => "Saiu da fila",
            Self::Closed => "Expediente encerrado",
        }
    }

    /// In the queue: a person holds one such ticket per zone at most.
    pub fn is_active(self) -> bool {
        matches!(self, Self::Waiting | Self::Called)
    }
}

/// How a clerk ends a call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CallOutcome {
    Attended,
    Missed,
}

impl CallOutcome {
    pub fn parse(name: &str) -> Option<Self> {
        match name {
            "attended" => Some(Self::Attended),
            "missed" => Some(Self::Missed),
            _ => None,
        }
    }

    pub fn status(self) -> TicketStatus {
        match self {
            Self::Attended => TicketStatus::Attended,
            Self::Missed => TicketStatus::Missed,
        }
    }
}

/// A date the zone's counter opens although its calendar says closed (an election weekend,
/// a task force), or opens with other hours; local times.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DutyDay {
    pub date: NaiveDate,
    pub opens: NaiveTime,
    pub closes: NaiveTime,
    pub note: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DutyDayError {
    #[error("O encerramento deve ser depois da abertura.")]
    OpensAfterCloses,
    #[error("A data do plantão já passou.")]
    InPast,
    #[error("A observação deve ter no máximo {max} caracteres.", max = DutyDay::MAX_NOTE_CHARS)]
    NoteTooLong,
    #[error("{0}")]
    NoteCharacters(CharacterError),
}

impl DutyDay {
    pub const MAX_NOTE_CHARS: usize = 200;

    /// A duty day on `date` (today or later, in Belém) from `opens` to `closes`.
    pub fn new(
        date: NaiveDate,
        opens: NaiveTime,
        closes: NaiveTime,
        note: Option<&str>,
        today: NaiveDate,
    ) -> Result<DutyDay, DutyDayError> {
        if opens >= closes {
            return Err(DutyDayError::OpensAfterCloses);
        }
        if date < today {
            return Err(DutyDayError::InPast);
        }
        let note = note.map(str::trim).filter(|note| !note.is_empty());
        if let Some(note) = note {
            if note.chars().nth(Self::MAX_NOTE_CHARS).is_some() {
                return Err(DutyDayError::NoteTooLong);
            }
            check_characters(note, Lines::One).map_err(DutyDayError::NoteCharacters)?;
        }
        Ok(DutyDay {
            date,
            opens,
            closes,
            note: note.map(str::to_string),
        })
    }
}

/// One day's opening of the counter, as instants.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Session {
    pub date: NaiveDate,
    pub opens: DateTime<Utc>,
    pub closes: DateTime<Utc>,
}

impl Session {
    pub fn contains(&self, now: DateTime<Utc>) -> bool {
        self.opens <= now && now < self.closes
    }
}

/// Whether the counter is open now, and its session: today's while open, the next one
/// while closed (`None` when none is found within a year).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CounterState {
    pub open: bool,
    pub session: Option<Session>,
}

/// A zone's counter: its calendar and its duty days.
#[derive(Debug, Clone, Copy)]
pub struct Counter<'a> {
    pub calendar: ZoneCalendar<'a>,
    pub duty_days: &'a [DutyDay],
}

/// How far ahead the next opening is looked for.
const LOOK_AHEAD_DAYS: usize = 366;

impl Counter<'_> {
    /// The counter's hours on `date`: a duty day's own, or the window's on a business day.
    pub fn session_on(&self, date: NaiveDate) -> Option<Session> {
        let (opens, closes) = match self.duty_days.iter().find(|day| day.date == date) {
            Some(duty) => (duty.opens, duty.closes),
            None if self.calendar.is_business_day(date) => {
                (self.calendar.window.opens(), self.calendar.window.closes())
            }
            None => return None,
        };
        Some(Session {
            date,
            opens: at_local(date, opens)?,
            closes: at_local(date, closes)?,
        })
    }

    pub fn state(&self, now: DateTime<Utc>) -> CounterState {
        let today = local_date(now);
        if let Some(session) = self.session_on(today).filter(|s| s.contains(now)) {
            return CounterState {
                open: true,
                session: Some(session),
            };
        }
        let next = today
            .iter_days()
            .take(LOOK_AHEAD_DAYS)
            .filter_map(|date| self.session_on(date))
            .find(|session| session.opens > now);
        CounterState {
            open: false,
            session: next,
        }
    }

    /// The session a person may join now, or why not.
    pub fn session_to_join(&self, now: DateTime<Utc>) -> Result<Session, QueueRefusal> {
        match self.state(now) {
            CounterState {
                open: true,
                session: Some(session),
            } => Ok(session),
            CounterState { session, .. } => Err(QueueRefusal::CounterClosed {
                next: session.map(|s| s.opens),
            }),
        }
    }
}

fn at_local(date: NaiveDate, time: NaiveTime) -> Option<DateTime<Utc>> {
    SERVICE_TIME_ZONE
        .from_local_datetime(&NaiveDateTime::new(date, time))
        .single()
        .map(|at| at.with_timezone(&Utc))
}

/// Why a queue operation is refused (409); each says what happened and what to do.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum QueueRefusal {
    #[error("{}", closed_message(*next))]
    CounterClosed { next: Option<DateTime<Utc>> },
    #[error(
        "Você já está na fila desta zona. Acompanhe sua vez pelo link que recebeu ao entrar (ele também foi enviado por e-mail)."
    )]
    AlreadyInQueue,
    #[error("Este atendimento já terminou: {}.", .0.label().to_lowercase())]
    TicketFinished(TicketStatus),
    #[error("Esta pessoa ainda não foi chamada.")]
    NotCalled,
    #[error(
        "Aguarde a pessoa entrar na sala: ela só pode ser marcada como ausente {minutes} minuto(s) depois da chamada."
    )]
    GraceNotOver { minutes: i64 },
    #[error(
        "Só é possível transformar a senha em solicitação depois que o expediente fecha sem que a pessoa tenha sido chamada."
    )]
    NotClosed,
    #[error("Esta senha já foi transformada na solicitação {0}.")]
    AlreadyConverted(String),
}

fn closed_message(next: Option<DateTime<Utc>>) -> String {
    match next {
        Some(next) => format!(
            "O atendimento imediato desta zona está fechado agora. Ele abre {}.",
            long_moment(next)
        ),
        None => "O atendimento imediato desta zona está fechado e não tem data para abrir. \
                 Faça uma solicitação de agendamento."
            .to_string(),
    }
}

impl QueueRefusal {
    /// The API's code.
    pub fn code(&self) -> &'static str {
        match self {
            Self::CounterClosed { .. } => "counter_closed",
            Self::AlreadyInQueue => "already_in_queue",
            Self::TicketFinished(_) => "ticket_finished",
            Self::NotCalled => "not_called",
            Self::GraceNotOver { .. } => "grace_not_over",
            Self::NotClosed => "not_closed",
            Self::AlreadyConverted(_) => "already_converted",
        }
    }
}

/// Whether the holder of a ticket in `status` may leave: while waiting or called. Leaving
/// twice is no error.
pub fn may_leave(status: TicketStatus) -> Result<(), QueueRefusal> {
    match status {
        TicketStatus::Waiting | TicketStatus::Called | TicketStatus::Left => Ok(()),
        TicketStatus::Attended | TicketStatus::Missed | TicketStatus::Closed => {
            Err(QueueRefusal::TicketFinished(status))
        }
    }
}

/// Whether a clerk may end a call with `outcome`: only a called ticket, and "missed" only
/// once the person had `grace` to join.
pub fn may_finish(
    status: TicketStatus,
    outcome: CallOutcome,
    called_at: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
    grace: Duration,
) -> Result<(), QueueRefusal> {
    match status {
        TicketStatus::Called => {}
        TicketStatus::Waiting => return Err(QueueRefusal::NotCalled),
        finished => return Err(QueueRefusal::TicketFinished(finished)),
    }
    if outcome == CallOutcome::Missed {
        let called_at = called_at.unwrap_or(now);
        let left = called_at + grace - now;
        if left > Duration::zero() {
            return Err(QueueRefusal::GraceNotOver {
                minutes: grace.num_minutes(),
            });
        }
    }
    Ok(())
}

/// Whether a ticket may become a regular request: only one the counter's close left waiting,
/// and only once.
pub fn may_convert(status: TicketStatus, converted: Option<&str>) -> Result<(), QueueRefusal> {
    if let Some(protocol) = converted {
        return Err(QueueRefusal::AlreadyConverted(protocol.to_string()));
    }
    match status {
        TicketStatus::Closed => Ok(()),
        _ => Err(QueueRefusal::NotClosed),
    }
}

/// The order the queue is served in: aged 80+ first, then the other preferential categories,
/// then everyone else; by arrival within each (the id breaks a tie of the same instant).
pub fn serving_key(
    preferential: Option<Preferential>,
    joined_at: DateTime<Utc>,
    id: i64,
) -> (i16, DateTime<Utc>, i64) {
    (PreferenceTier::of(preferential).rank(), joined_at, id)
}

/// The room of a call: the link the clerk gave, else (by hand) the zone's fixed room; with the
/// calendar, `None`: a Meet event is made for the call. By hand with neither, the clerk must
/// give one.
pub fn call_room(
    given: Option<MeetLink>,
    zone_room: Option<&str>,
    source: MeetingSource,
    allowed_hosts: &[String],
) -> Result<Option<String>, RoomMissing> {
    if let Some(link) = given {
        return Ok(Some(link.as_str().to_string()));
    }
    match source {
        MeetingSource::Calendar => Ok(None),
        MeetingSource::Manual => zone_room
            .and_then(|room| MeetLink::parse(room, allowed_hosts).ok())
            .map(|room| Some(room.as_str().to_string()))
            .ok_or(RoomMissing),
    }
}

/// By hand, a call needs a room: the zone has no valid fixed one and none was given.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("Informe o link da sala de reunião: esta zona não tem sala fixa.")]
pub struct RoomMissing;

/// About how long a person with `ahead` people before them waits, in whole minutes: each
/// person ahead takes the median of today's calls (`served`, minutes each), or `fallback`
/// (the zone's slot length) before anyone was served, shared by the clerks calling.
pub fn estimated_wait_minutes(ahead: u32, served: &[i64], fallback: i64, clerks: u32) -> i64 {
    if ahead == 0 {
        return 0;
    }
    let mut served: Vec<i64> = served.iter().copied().filter(|m| *m > 0).collect();
    served.sort_unstable();
    let each = served
        .get(served.len() / 2)
        .copied()
        .unwrap_or(fallback)
        .max(1);
    let total = i64::from(ahead) * each;
    let clerks = i64::from(clerks.max(1));
    (total + clerks - 1) / clerks
}

/// The time left for a called person to join before they may be marked missed.
pub fn minutes_to_join(called_at: DateTime<Utc>, now: DateTime<Utc>, grace: Duration) -> i64 {
    let left = called_at + grace - now;
    if left <= Duration::zero() {
        0
    } else {
        // A part of a minute left is a minute to the person reading it.
        (left.num_seconds() + 59) / 60
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{
        holidays::{ZoneHolidays, parse_csv},
        schedule::{ServiceWindow, ZoneSchedule},
    };

    fn belem(datetime: &str) -> DateTime<Utc> {
        let naive = NaiveDateTime::parse_from_str(datetime, "%Y-%m-%d %H:%M").unwrap();
        at_local(naive.date(), naive.time()).unwrap()
    }

    fn time(text: &str) -> NaiveTime {
        NaiveTime::parse_from_str(text, "%H:%M").unwrap()
    }

    fn date(text: &str) -> NaiveDate {
        text.parse().unwrap()
    }

    /// Belém's zone: the shipped holidays, the default window (08:30–11:30, Monday–Friday).
    fn belem_schedule() -> ZoneSchedule {
        let all = parse_csv(include_str!("../../config/holidays.csv")).unwrap();
        let holidays = ZoneHolidays::for_zone(&all, &["Belém".to_string()]);
        ZoneSchedule::new(None, &ServiceWindow::default(), holidays)
    }

    fn duty(day: &str, opens: &str, closes: &str) -> DutyDay {
        DutyDay {
            date: date(day),
            opens: time(opens),
            closes: time(closes),
            note: None,
        }
    }

    fn join(fields: &[(&str, &str)]) -> JoinInput {
        let get = |name: &str| {
            fields
                .iter()
                .find(|(field, _)| *field == name)
                .map(|(_, value)| value.to_string())
        };
        JoinInput {
            name: get("name"),
            cpf: get("cpf"),
            email: get("email"),
            phone: get("phone"),
            subject: get("subject"),
            preferential: get("preferential"),
            consent: get("consent").map(|c| c == "true"),
        }
    }

    const GOOD: [(&str, &str); 5] = [
        ("name", "Maria José de Souza"),
        ("cpf", "529.982.247-25"),
        ("email", "maria@example.com"),
        ("subject", "Segunda via do título"),
        ("consent", "true"),
    ];

    #[test]
    fn a_join_is_parsed_with_every_problem_at_once() {
        let ticket = NewTicket::parse(&join(&GOOD)).unwrap();
        assert_eq!(ticket.cpf.as_str(), "52998224725");
        assert_eq!(ticket.phone, None);
        assert_eq!(ticket.preferential, None);

        let mut with_extras = GOOD.to_vec();
        with_extras.push(("phone", "(91) 98765-4321"));
        with_extras.push(("preferential", "idoso80"));
        let ticket = NewTicket::parse(&join(&with_extras)).unwrap();
        assert_eq!(ticket.preferential, Some(Preferential::Idoso80));
        assert!(ticket.phone.is_some());

        // The fields sent, and those reported wrong.
        type Case<'a> = (&'a [(&'a str, &'a str)], &'a [&'a str]);
        let cases: [Case; 4] = [
            (&[], &["name", "cpf", "email", "subject", "consent"]),
            (
                &[
                    ("name", "Maria"),
                    ("cpf", "111.111.111-11"),
                    ("email", "maria@"),
                    ("subject", "ok"),
                    ("consent", "false"),
                ],
                &["cpf", "email", "subject", "consent"],
            ),
            (
                &[
                    ("name", "Maria José"),
                    ("cpf", "529.982.247-25"),
                    ("email", "maria@example.com"),
                    ("subject", "Título"),
                    ("phone", "12"),
                    ("preferential", "vip"),
                    ("consent", "true"),
                ],
                &["phone", "preferential"],
            ),
            (
                &[
                    ("name", "Maria\u{200b} José"),
                    ("cpf", "529.982.247-25"),
                    ("email", "maria@example.com"),
                    ("subject", "Título\neleitoral"),
                    ("consent", "true"),
                ],
                &["name", "subject"],
            ),
        ];
        for (fields, wrong) in cases {
            let errors = NewTicket::parse(&join(fields)).unwrap_err();
            for field in wrong {
                assert!(errors.get(field).is_some(), "{field} of {fields:?}");
            }
            let reported = [
                "name",
                "cpf",
                "email",
                "phone",
                "subject",
                "preferential",
                "consent",
            ]
            .into_iter()
            .filter(|field| errors.get(field).is_some())
            .count();
            assert_eq!(
                reported,
                wrong.len(),
                "only {wrong:?} are wrong in {fields:?}: {errors:?}"
            );
        }
    }

    #[test]
    fn the_counter_is_open_inside_the_window_of_a_business_day() {
        let schedule = belem_schedule();
        let counter = Counter {
            calendar: schedule.calendar(),
            duty_days: &[],
        };
        // Thursday 3 December 2026.
        let cases = [
            ("2026-12-03 08:29", false, "2026-12-03 08:30"),
            ("2026-12-03 08:30", true, "2026-12-03 08:30"),
            ("2026-12-03 11:29", true, "2026-12-03 08:30"),
            ("2026-12-03 11:30", false, "2026-12-04 08:30"),
            // Friday after closing: Monday next.
            ("2026-12-04 11:30", false, "2026-12-07 08:30"),
            // Saturday and Sunday: closed all day.
            ("2026-12-05 09:00", false, "2026-12-07 08:30"),
            ("2026-12-06 09:00", false, "2026-12-07 08:30"),
            // Círio de Nazaré's Monday is a Belém holiday (12 October 2026).
            ("2026-10-12 09:00", false, "2026-10-13 08:30"),
        ];
        for (now, open, opens) in cases {
            let state = counter.state(belem(now));
            assert_eq!(state.open, open, "open at {now}");
            assert_eq!(
                state.session.map(|s| s.opens),
                Some(belem(opens)),
                "the session at {now}"
            );
            if open {
                assert_eq!(
                    state.session.map(|s| s.closes),
                    Some(belem(&format!("{} 11:30", &now[..10])))
                );
            }
        }
    }

    #[test]
    fn a_holiday_closes_the_counter_and_the_next_opening_skips_the_recess() {
        let schedule = belem_schedule();
        let counter = Counter {
            calendar: schedule.calendar(),
            duty_days: &[],
        };
        // The judiciary's recess runs from 20 December to 6 January.
        let state = counter.state(belem("2026-12-21 09:00"));
        assert!(!state.open);
        assert_eq!(
            state.session.map(|s| s.opens),
            Some(belem("2027-01-07 08:30"))
        );
    }

    #[test]
    fn a_duty_day_opens_a_weekend_day_with_its_own_hours() {
        let schedule = belem_schedule();
        let duty_days = [duty("2026-12-05", "08:00", "17:00")];
        let counter = Counter {
            calendar: schedule.calendar(),
            duty_days: &duty_days,
        };
        let cases = [
            ("2026-12-04 12:00", false, Some("2026-12-05 08:00")),
            ("2026-12-05 07:59", false, Some("2026-12-05 08:00")),
            ("2026-12-05 08:00", true, Some("2026-12-05 08:00")),
            ("2026-12-05 16:59", true, Some("2026-12-05 08:00")),
            ("2026-12-05 17:00", false, Some("2026-12-07 08:30")),
        ];
        for (now, open, opens) in cases {
            let state = counter.state(belem(now));
            assert_eq!(state.open, open, "open at {now}");
            assert_eq!(state.session.map(|s| s.opens), opens.map(belem), "at {now}");
        }
        let open = counter.state(belem("2026-12-05 12:00"));
        assert_eq!(
            open.session.map(|s| s.closes),
            Some(belem("2026-12-05 17:00"))
        );
    }

    #[test]
    fn a_duty_day_replaces_the_window_of_a_business_day_and_opens_a_holiday() {
        let schedule = belem_schedule();
        let duty_days = [
            duty("2026-12-03", "13:00", "18:00"),
            duty("2026-10-12", "09:00", "10:00"),
        ];
        let counter = Counter {
            calendar: schedule.calendar(),
            duty_days: &duty_days,
        };
        assert!(!counter.state(belem("2026-12-03 09:00")).open);
        assert!(counter.state(belem("2026-12-03 13:00")).open);
        assert!(counter.state(belem("2026-10-12 09:30")).open);
        assert!(!counter.state(belem("2026-10-12 10:00")).open);
    }

    #[test]
    fn joining_a_closed_counter_is_refused_with_the_next_opening() {
        let schedule = belem_schedule();
        let counter = Counter {
            calendar: schedule.calendar(),
            duty_days: &[],
        };
        let refusal = counter
            .session_to_join(belem("2026-12-04 11:45"))
            .unwrap_err();
        assert_eq!(
            refusal,
            QueueRefusal::CounterClosed {
                next: Some(belem("2026-12-07 08:30"))
            }
        );
        assert_eq!(
            refusal.to_string(),
            "O atendimento imediato desta zona está fechado agora. Ele abre segunda-feira, 7 de dezembro de 2026, às 08:30."
        );
        assert_eq!(refusal.code(), "counter_closed");
        let session = counter.session_to_join(belem("2026-12-04 09:00")).unwrap();
        assert_eq!(session.date, date("2026-12-04"));
    }

    #[test]
    fn a_zone_whose_every_day_is_closed_says_so() {
        let refusal = QueueRefusal::CounterClosed { next: None };
        assert!(refusal.to_string().contains("não tem data para abrir"));
    }

    #[test]
    fn duty_days_are_checked() {
        let today = date("2026-12-01");
        // Date, opens, closes, note, and the verdict.
        type Case<'a> = (
            &'a str,
            &'a str,
            &'a str,
            Option<&'a str>,
            Result<(), DutyDayError>,
        );
        let cases: [Case; 5] = [
            ("2026-12-05", "08:00", "12:00", Some(" Eleições "), Ok(())),
            ("2026-12-01", "08:00", "12:00", None, Ok(())),
            (
                "2026-11-30",
                "08:00",
                "12:00",
                None,
                Err(DutyDayError::InPast),
            ),
            (
                "2026-12-05",
                "12:00",
                "12:00",
                None,
                Err(DutyDayError::OpensAfterCloses),
            ),
            (
                "2026-12-05",
                "08:00",
                "12:00",
                Some("linha\noutra"),
                Err(DutyDayError::NoteCharacters(CharacterError::LineBreak)),
            ),
        ];
        for (day, opens, closes, note, expected) in cases {
            let made = DutyDay::new(date(day), time(opens), time(closes), note, today);
            assert_eq!(
                made.as_ref().map(|_| ()),
                expected.as_ref().map(|_| ()),
                "{day} {opens}-{closes} {note:?}"
            );
        }
        let kept = DutyDay::new(
            date("2026-12-05"),
            time("08:00"),
            time("12:00"),
            Some(" Eleições "),
            today,
        )
        .unwrap();
        assert_eq!(kept.note.as_deref(), Some("Eleições"));
        let long = "a".repeat(DutyDay::MAX_NOTE_CHARS + 1);
        assert_eq!(
            DutyDay::new(
                date("2026-12-05"),
                time("08:00"),
                time("12:00"),
                Some(&long),
                today
            ),
            Err(DutyDayError::NoteTooLong)
        );
    }

    #[test]
    fn the_queue_serves_80_plus_then_other_categories_then_everyone_by_arrival() {
        let t = |minute: i64| belem("2026-12-03 08:30") + Duration::minutes(minute);
        let mut tickets = [
            ("general first", None, t(0), 1),
            ("65+", Some(Preferential::Idoso), t(1), 2),
            ("85+", Some(Preferential::Idoso80), t(2), 3),
            ("pregnant", Some(Preferential::Gestante), t(1), 4),
            ("general second", None, t(0), 5),
            ("80+ late", Some(Preferential::Idoso80), t(9), 6),
        ];
        tickets
            .sort_by_key(|(_, preferential, joined, id)| serving_key(*preferential, *joined, *id));
        let order: Vec<_> = tickets.iter().map(|(name, ..)| *name).collect();
        assert_eq!(
            order,
            [
                "85+",
                "80+ late",
                "65+",
                "pregnant",
                "general first",
                "general second"
            ]
        );
    }

    #[test]
    fn who_may_leave_finish_and_convert() {
        use TicketStatus::*;
        for status in TicketStatus::ALL {
            let leave = may_leave(status);
            assert_eq!(
                leave.is_ok(),
                matches!(status, Waiting | Called | Left),
                "leave from {status:?}"
            );
            let converted = may_convert(status, None);
            assert_eq!(
                converted.is_ok(),
                status == Closed,
                "convert from {status:?}"
            );
        }
        assert_eq!(
            may_convert(Closed, Some("2026-000012")),
            Err(QueueRefusal::AlreadyConverted("2026-000012".into()))
        );
        let called = belem("2026-12-03 09:00");
        let grace = Duration::minutes(5);
        let cases = [
            (Called, CallOutcome::Attended, called, Ok(())),
            (
                Called,
                CallOutcome::Missed,
                called + Duration::seconds(299),
                Err(QueueRefusal::GraceNotOver { minutes: 5 }),
            ),
            (Called, CallOutcome::Missed, called + grace, Ok(())),
            (
                Waiting,
                CallOutcome::Attended,
                called,
                Err(QueueRefusal::NotCalled),
            ),
            (
                Attended,
                CallOutcome::Missed,
                called + grace,
                Err(QueueRefusal::TicketFinished(Attended)),
            ),
            (
                Left,
                CallOutcome::Attended,
                called,
                Err(QueueRefusal::TicketFinished(Left)),
            ),
        ];
        for (status, outcome, now, expected) in cases {
            assert_eq!(
                may_finish(status, outcome, Some(called), now, grace),
                expected,
                "{outcome:?} from {status:?} at {now}"
            );
        }
    }

    #[test]
    fn statuses_round_trip_and_only_waiting_and_called_are_in_the_queue() {
        for status in TicketStatus::ALL {
            assert_eq!(TicketStatus::parse(status.as_str()), Some(status));
            assert!(!status.label().is_empty());
        }
        let active: Vec<_> = TicketStatus::ALL
            .into_iter()
            .filter(|s| s.is_active())
            .collect();
        assert_eq!(active, [TicketStatus::Waiting, TicketStatus::Called]);
        assert_eq!(TicketStatus::parse("gone"), None);
        assert_eq!(CallOutcome::parse("attended"), Some(CallOutcome::Attended));
        assert_eq!(CallOutcome::parse("no_show"), None);
    }

    #[test]
    fn the_wait_is_estimated_from_todays_calls_or_the_slot_length() {
        let cases: [(u32, &[i64], i64, u32, i64); 6] = [
            (0, &[], 20, 1, 0),
            (3, &[], 20, 1, 60),
            (3, &[10, 30, 12], 20, 1, 36),
            (3, &[10, 30, 12], 20, 2, 18),
            (1, &[0, 0], 20, 1, 20),
            (5, &[7], 20, 3, 12),
        ];
        for (ahead, served, fallback, clerks, expected) in cases {
            assert_eq!(
                estimated_wait_minutes(ahead, served, fallback, clerks),
                expected,
                "{ahead} ahead, served {served:?}, {clerks} clerks"
            );
        }
    }

    #[test]
    fn a_call_takes_the_link_given_else_the_fixed_room_else_the_calendar_makes_one() {
        let hosts = vec!["meet.google.com".to_string()];
        let given =
            || Some(MeetLink::parse("https://meet.google.com/aaa-bbbb-ccc", &hosts).unwrap());
        let room = Some("https://meet.google.com/zzz-yyyy-xxx");
        let cases = [
            (
                given(),
                room,
                MeetingSource::Manual,
                Ok(Some("https://meet.google.com/aaa-bbbb-ccc")),
            ),
            (
                None,
                room,
                MeetingSource::Manual,
                Ok(Some("https://meet.google.com/zzz-yyyy-xxx")),
            ),
            (None, None, MeetingSource::Manual, Err(RoomMissing)),
            // A fixed room on a host no longer allowed is no room.
            (
                None,
                Some("https://zoom.us/j/1"),
                MeetingSource::Manual,
                Err(RoomMissing),
            ),
            (None, room, MeetingSource::Calendar, Ok(None)),
            (
                given(),
                None,
                MeetingSource::Calendar,
                Ok(Some("https://meet.google.com/aaa-bbbb-ccc")),
            ),
        ];
        for (given, zone_room, source, expected) in cases {
            assert_eq!(
                call_room(given.clone(), zone_room, source, &hosts),
                expected.map(|link| link.map(str::to_string)),
                "{given:?} {zone_room:?} {source:?}"
            );
        }
    }

    #[test]
    fn the_time_to_join_counts_down_to_zero() {
        let called = belem("2026-12-03 09:00");
        let grace = Duration::minutes(5);
        assert_eq!(minutes_to_join(called, called, grace), 5);
        assert_eq!(
            minutes_to_join(called, called + Duration::seconds(61), grace),
            4
        );
        assert_eq!(minutes_to_join(called, called + grace, grace), 0);
        assert_eq!(
            minutes_to_join(called, called + Duration::hours(1), grace),
            0
        );
    }
}
