//! E-mail templates: one folder per message under `email_templates/` with `subject.txt`,
//! `body.txt` and `body.html`, filled from a typed context. Files on disk win, so a court can
//! reword a message without a new build; the shipped copies are compiled in as the fallback.

use std::{
    collections::HashMap,
    path::{Path, PathBuf},
    sync::Arc,
};

use minijinja::{AutoEscape, Environment, UndefinedBehavior};
use serde::Serialize;

/// The e-mails the service sends, one template folder each.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Message {
    /// To the requester: protocol and tracking link.
    RequestReceived,
    /// To the zone's clerks: a request waits for triage.
    NewRequest,
    Rejected,
    Scheduled,
    Rescheduled,
    Cancelled,
    Reminder,
    Done,
    /// To the requester: times to pick one.
    Offered,
    OfferWithdrawn,
    /// To the zone's clerks: an offer ran out unpicked.
    OfferExpired,
    /// To the zone's clerks: the requester moved their meeting.
    RescheduledByRequester,
    /// To a person in a zone's queue: their turn, with the meeting's link.
    QueueCalled,
    /// To a person the counter's close left waiting: how to file a request instead.
    QueueClosed,
    /// To the requester: attendance by written messages from now on.
    ToMessage,
    /// To the zone's clerks: what the requester wrote in the thread.
    MessagesToZone,
    /// To the requester: what the zone wrote in the thread.
    MessagesToRequester,
    /// To a Libras interpreter: the meeting they join, new or moved.
    InterpreterInvited,
    /// To a Libras interpreter: a meeting they no longer join.
    InterpreterReleased,
    /// To the requester attended: the satisfaction survey.
    Survey,
}

/// Each message's three parts and the HTML layout, as shipped.
macro_rules! shipped {
    ($($folder:literal),* $(,)?) => {
        &[
            ("layout.html", include_str!("../../email_templates/layout.html")),
            $(
                (concat!($folder, "/subject.txt"), include_str!(concat!("../../email_templates/", $folder, "/subject.txt"))),
                (concat!($folder, "/body.txt"), include_str!(concat!("../../email_templates/", $folder, "/body.txt"))),
                (concat!($folder, "/body.html"), include_str!(concat!("../../email_templates/", $folder, "/body.html"))),
            )*
        ]
    };
}

const SHIPPED: &[(&str, &str)] = shipped!(
    "request_received",
    "new_request",
    "rejected",
    "scheduled",
    "rescheduled",
    "cancelled",
    "reminder",
    "done",
    "offered",
    "offer_withdrawn",
    "offer_expired",
    "rescheduled_by_requester",
    "queue_called",
    "queue_closed",
    "to_message",
    "messages_to_zone",
    "messages_to_requester",
    "interpreter_invited",
    "interpreter_released",
    "survey",
);

/// A message ready to be sent: its subject and both bodies.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rendered {
    pub subject: String,
    pub text: String,
    pub html: String,
}

#[derive(Debug, thiserror::Error)]
#[error("o modelo de e-mail {template} não pôde ser preenchido: {source}")]
pub struct TemplateError {
    template: String,
    source: minijinja::Error,
}

#[derive(Clone)]
pub struct Templates {
    env: Arc<Environment<'static>>,
}

impl Templates {
    /// Templates from `folder` where a file exists there, else the shipped ones.
    pub fn new(folder: &Path) -> Templates {
        let folder: PathBuf = folder.to_path_buf();
        let shipped: HashMap<&'static str, &'static str> = SHIPPED.iter().copied().collect();
        let mut env = Environment::new();
        // A variable missing from a context is a bug: fail instead of printing nothing.
        env.set_undefined_behavior(UndefinedBehavior::Strict);
        env.set_auto_escape_callback(|name| {
            if name.ends_with(".html") {
                AutoEscape::Html
            } else {
                AutoEscape::None
            }
        });
        env.set_loader(move |name| {
            let on_disk = folder.join(name);
            if on_disk.is_file() {
                return std::fs::read_to_string(&on_disk)
                    .map(Some)
                    .map_err(|error| {
                        minijinja::Error::new(
                            minijinja::ErrorKind::InvalidOperation,
                            "cannot read the template",
                        )
                        .with_source(error)
                    });
            }
            Ok(shipped.get(name).map(|text| text.to_string()))
        });
        Templates { env: Arc::new(env) }
    }

    /// Renders `message` with `context`; the HTML body is wrapped in the layout.
    pub fn render(
        &self,
        message: Message,
        context: &impl Serialize,
    ) -> Result<Rendered, TemplateError> {
        let folder = folder(message);
        let render = |part: &str, ctx: minijinja::Value| {
            let name = format!("{folder}/{part}");
            self.env
                .get_template(&name)
                .and_then(|template| template.render(ctx))
                .map_err(|source| TemplateError {
                    template: name,
                    source,
                })
        };
        let ctx = minijinja::Value::from(minijinja::value::Serde(context));
        let subject = render("subject.txt", ctx.clone())?.trim().to_string();
        let text = render("body.txt", ctx.clone())?.trim().to_string() + "\n";
        let content = render("body.html", ctx)?;
        let html = self
            .env
            .get_template("layout.html")
            .and_then(|layout| {
                layout.render(minijinja::context! {
                    subject => &subject,
                    content => minijinja::Value::from_safe_string(content),
                })
            })
            .map_err(|source| TemplateError {
                template: "layout.html".into(),
                source,
            })?;
        Ok(Rendered {
            subject,
            text,
            html,
        })
    }
}

/// The folder of each message under `email_templates/`.
pub fn folder(message: Message) -> &'static str {
    match message {
        Message::RequestReceived => "request_received",
        Message::NewRequest => "new_request",
        Message::Rejected => "rejected",
        Message::Scheduled => "scheduled",
        Message::Rescheduled => "rescheduled",
        Message::Cancelled => "cancelled",
        Message::Reminder => "reminder",
        Message::Done => "done",
        Message::Offered => "offered",
        Message::OfferWithdrawn => "offer_withdrawn",
        Message::OfferExpired => "offer_expired",
        Message::RescheduledByRequester => "rescheduled_by_requester",
        Message::QueueCalled => "queue_called",
        Message::QueueClosed => "queue_closed",
        Message::ToMessage => "to_message",
        Message::MessagesToZone => "messages_to_zone",
        Message::MessagesToRequester => "messages_to_requester",
        Message::InterpreterInvited => "interpreter_invited",
        Message::InterpreterReleased => "interpreter_released",
        Message::Survey => "survey",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::notify::context::*;

    fn common(name: &str) -> ToRequester {
        ToRequester {
            name: name.to_string(),
            protocol: "2026-000123".into(),
            zone_name: "1ª Zona Eleitoral".into(),
            tracking_url: "https://contato.tre-pa.jus.br/acompanhar/2026-000123?token=abc".into(),
            public_url: "https://contato.tre-pa.jus.br/".into(),
            signature: "Justiça Eleitoral do Pará".into(),
        }
    }

    fn scheduled() -> Scheduled {
        Scheduled {
            common: common("Maria"),
            date: "quinta-feira, 3 de dezembro de 2026".into(),
            time: "09:10".into(),
            end_time: "09:30".into(),
            meet_link: "https://meet.google.com/abc-defg-hij".into(),
            process_number: Some("0600123-10.2024.6.14.0001".into()),
            cancel_notice_hours: 2,
            reschedule_notice_hours: Some(24),
        }
    }

    fn message_line(author: Option<&str>) -> MessageLine {
        MessageLine {
            at: "quarta-feira, 2 de dezembro de 2026, às 10:05".into(),
            author: author.map(str::to_string),
            text: "Bom dia.\nPreciso de <ajuda> com o título.".into(),
        }
    }

    #[test]
    fn a_batch_of_messages_is_counted_in_the_subject_and_escaped_in_html() {
        let templates = Templates::new(Path::new("email_templates"));
        let context = MessagesToRequester {
            common: common("Maria"),
            messages: vec![message_line(Some("Ana")), message_line(Some("Ana"))],
        };
        let rendered = templates
            .render(Message::MessagesToRequester, &context)
            .unwrap();
        assert_eq!(
            rendered.subject,
            "2 novas mensagens do cartório: solicitação 2026-000123"
        );
        assert!(rendered.text.contains("Preciso de <ajuda> com o título."));
        assert!(rendered.html.contains("Preciso de &lt;ajuda&gt;"));
        assert!(!rendered.html.contains("<ajuda>"));
    }

    fn moved_by_requester() -> RescheduledByRequester {
        RescheduledByRequester {
            protocol: "2026-000123".into(),
            zone_name: "1ª Zona Eleitoral".into(),
            name: "Maria".into(),
            subject: "Título".into(),
            assignee: Some("Ana".into()),
            previous_date: "quarta-feira, 2 de dezembro de 2026".into(),
            previous_time: "08:30".into(),
            date: "quinta-feira, 3 de dezembro de 2026".into(),
            time: "09:10".into(),
            end_time: "09:30".into(),
            panel_url: "https://contato.tre-pa.jus.br/painel/solicitacoes/1".into(),
            signature: "Justiça Eleitoral do Pará".into(),
        }
    }

    #[test]
    fn the_zone_reads_the_old_and_the_new_time_of_a_requesters_move() {
        let templates = Templates::new(Path::new("email_templates"));
        let rendered = templates
            .render(Message::RescheduledByRequester, &moved_by_requester())
            .unwrap();
        let html = rendered.html.replace("&#x2f;", "/");
        for part in [&rendered.text, &html] {
            assert!(part.contains("quarta-feira, 2 de dezembro de 2026, às 08:30"));
            assert!(part.contains("quinta-feira, 3 de dezembro de 2026, das 09:10 às 09:30"));
            assert!(part.contains("painel/solicitacoes/1"));
            assert!(!part.contains("token="), "no tracking link to the zone");
        }
        assert_eq!(
            rendered.subject,
            "Atendimento remarcado pelo(a) requerente: 2026-000123, agora em quinta-feira, 3 de dezembro de 2026 às 09:10"
        );
    }

    /// Every message with sample data: strict mode fails on any variable a template uses
    /// that its context lacks.
    fn every_message() -> Vec<(Message, Result<Rendered, TemplateError>)> {
        let templates = Templates::new(Path::new("email_templates"));
        vec![
            (
                Message::RequestReceived,
                templates.render(
                    Message::RequestReceived,
                    &RequestReceived {
                        common: common("Maria"),
                        subject: "Título".into(),
                    },
                ),
            ),
            (
                Message::NewRequest,
                templates.render(
                    Message::NewRequest,
                    &NewRequest {
                        protocol: "2026-000123".into(),
                        zone_name: "1ª Zona Eleitoral".into(),
                        name: "Maria".into(),
                        role: "Parte".into(),
                        subject: "Título".into(),
                        description: "Descrição longa".into(),
                        process_number: None,
                        preferred_dates: Some("03/12/2026, 04/12/2026".into()),
                        accessibility: Some("Libras — usa aparelho auditivo".into()),
                        by_message: true,
                        assignee: Some("Ana".into()),
                        panel_url: "https://contato.tre-pa.jus.br/painel/solicitacoes/1".into(),
                        signature: "Justiça Eleitoral do Pará".into(),
                    },
                ),
            ),
            (
                Message::Rejected,
                templates.render(
                    Message::Rejected,
                    &Rejected {
                        common: common("Maria"),
                        reason: "Petições não são recebidas aqui.".into(),
                    },
                ),
            ),
            (
                Message::Scheduled,
                templates.render(Message::Scheduled, &scheduled()),
            ),
            (
                Message::Rescheduled,
                templates.render(Message::Rescheduled, &scheduled()),
            ),
            (
                Message::Cancelled,
                templates.render(
                    Message::Cancelled,
                    &Cancelled {
                        common: common("Maria"),
                        by_requester: true,
                        date: Some("quinta-feira, 3 de dezembro de 2026".into()),
                        time: Some("09:10".into()),
                        reason: None,
                    },
                ),
            ),
            (
                Message::Reminder,
                templates.render(
                    Message::Reminder,
                    &Reminder {
                        common: common("Maria"),
                        when: reminder_when(24),
                        date: "quinta-feira, 3 de dezembro de 2026".into(),
                        time: "09:10".into(),
                        meet_link: "https://meet.google.com/abc-defg-hij".into(),
                    },
                ),
            ),
            (
                Message::Done,
                templates.render(
                    Message::Done,
                    &Done {
                        common: common("Maria"),
                        attended: false,
                        by_message: false,
                    },
                ),
            ),
            (
                Message::Offered,
                templates.render(
                    Message::Offered,
                    &Offered {
                        common: common("Maria"),
                        slots: vec![
                            "quinta-feira, 3 de dezembro de 2026, às 09:10".into(),
                            "sexta-feira, 4 de dezembro de 2026, às 10:30".into(),
                        ],
                        expires: "sábado, 5 de dezembro de 2026, às 09:00".into(),
                    },
                ),
            ),
            (
                Message::OfferWithdrawn,
                templates.render(
                    Message::OfferWithdrawn,
                    &OfferWithdrawn {
                        common: common("Maria"),
                    },
                ),
            ),
            (
                Message::OfferExpired,
                templates.render(
                    Message::OfferExpired,
                    &OfferExpired {
                        protocol: "2026-000123".into(),
                        zone_name: "1ª Zona Eleitoral".into(),
                        name: "Maria".into(),
                        panel_url: "https://contato.tre-pa.jus.br/painel/solicitacoes/7".into(),
                        signature: "Justiça Eleitoral do Pará".into(),
                    },
                ),
            ),
            (
                Message::RescheduledByRequester,
                templates.render(Message::RescheduledByRequester, &moved_by_requester()),
            ),
            (
                Message::QueueCalled,
                templates.render(
                    Message::QueueCalled,
                    &QueueCalled {
                        name: "Maria".into(),
                        zone_name: "1ª Zona Eleitoral".into(),
                        meet_link: "https://meet.google.com/abc-defg-hij".into(),
                        grace_minutes: 5,
                        ticket_url: "https://contato.tre-pa.jus.br/fila/7?token=abc".into(),
                        signature: "Justiça Eleitoral do Pará".into(),
                    },
                ),
            ),
            (
                Message::QueueClosed,
                templates.render(
                    Message::QueueClosed,
                    &QueueClosed {
                        name: "Maria".into(),
                        zone_name: "1ª Zona Eleitoral".into(),
                        subject: "Segunda via do título".into(),
                        ticket_url: "https://contato.tre-pa.jus.br/fila/7?token=abc".into(),
                        signature: "Justiça Eleitoral do Pará".into(),
                    },
                ),
            ),
            (
                Message::ToMessage,
                templates.render(
                    Message::ToMessage,
                    &ToMessage {
                        common: common("Maria"),
                        date: Some("quinta-feira, 3 de dezembro de 2026".into()),
                        time: Some("09:10".into()),
                        reason: Some("A conexão caiu duas vezes.".into()),
                    },
                ),
            ),
            (
                Message::MessagesToZone,
                templates.render(
                    Message::MessagesToZone,
                    &MessagesToZone {
                        protocol: "2026-000123".into(),
                        zone_name: "1ª Zona Eleitoral".into(),
                        name: "Maria".into(),
                        by_message: true,
                        messages: vec![message_line(None)],
                        reply_due: Some("sexta-feira, 4 de dezembro de 2026, às 10:05".into()),
                        reply_days: 2,
                        panel_url: "https://contato.tre-pa.jus.br/painel/solicitacoes/7".into(),
                        signature: "Justiça Eleitoral do Pará".into(),
                    },
                ),
            ),
            (
                Message::MessagesToRequester,
                templates.render(
                    Message::MessagesToRequester,
                    &MessagesToRequester {
                        common: common("Maria"),
                        messages: vec![message_line(Some("Ana")), message_line(Some("Ana"))],
                    },
                ),
            ),
            (
                Message::InterpreterInvited,
                templates.render(Message::InterpreterInvited, &interpreter_invited(true)),
            ),
            (
                Message::Survey,
                templates.render(Message::Survey, &survey(false)),
            ),
            (
                Message::InterpreterReleased,
                templates.render(
                    Message::InterpreterReleased,
                    &InterpreterReleased {
                        interpreter_name: "Paula".into(),
                        requester_name: "Maria".into(),
                        protocol: "2026-000123".into(),
                        zone_name: "1ª Zona Eleitoral".into(),
                        date: "quinta-feira, 3 de dezembro de 2026".into(),
                        time: "09:10".into(),
                        cancelled: false,
                        signature: "Justiça Eleitoral do Pará".into(),
                    },
                ),
            ),
        ]
    }

    fn survey(by_message: bool) -> Survey {
        Survey {
            common: common("Maria"),
            survey_url: "https://contato.tre-pa.jus.br/avaliar/2026-000123?token=abc".into(),
            by_message,
        }
    }

    #[test]
    fn the_survey_invitation_links_to_the_form_and_says_it_is_optional_and_once() {
        let templates = Templates::new(Path::new("email_templates"));
        for by_message in [false, true] {
            let rendered = templates
                .render(Message::Survey, &survey(by_message))
                .unwrap();
            assert_eq!(
                rendered.subject,
                "Avalie o atendimento da solicitação 2026-000123"
            );
            let html = rendered.html.replace("&#x2f;", "/");
            for part in [&rendered.text, &html] {
                assert!(part.contains("avaliar/2026-000123?token=abc"), "{part}");
                assert!(part.contains("de 1 a 5"), "{part}");
                assert!(part.contains("opcional"), "{part}");
                assert!(part.contains("uma só vez"), "{part}");
                assert!(part.contains("1ª Zona Eleitoral"), "{part}");
            }
            assert_eq!(
                rendered.text.contains("por mensagens"),
                by_message,
                "{}",
                rendered.text
            );
        }
    }

    fn interpreter_invited(moved: bool) -> InterpreterInvited {
        InterpreterInvited {
            interpreter_name: "Paula".into(),
            requester_name: "Maria".into(),
            protocol: "2026-000123".into(),
            zone_name: "1ª Zona Eleitoral".into(),
            date: "quinta-feira, 3 de dezembro de 2026".into(),
            time: "09:10".into(),
            end_time: "09:30".into(),
            meet_link: "https://meet.google.com/abc-defg-hij".into(),
            previous_date: moved.then(|| "quarta-feira, 2 de dezembro de 2026".into()),
            previous_time: moved.then(|| "08:30".into()),
            clerk: Some("Ana".into()),
            signature: "Justiça Eleitoral do Pará".into(),
        }
    }

    #[test]
    fn the_interpreter_reads_who_where_when_and_the_link_and_a_move_says_so() {
        let templates = Templates::new(Path::new("email_templates"));
        let new = templates
            .render(Message::InterpreterInvited, &interpreter_invited(false))
            .unwrap();
        assert_eq!(
            new.subject,
            "Convite para interpretação em Libras: quinta-feira, 3 de dezembro de 2026 às 09:10 — 2026-000123"
        );
        let html = new.html.replace("&#x2f;", "/");
        for part in [&new.text, &html] {
            for expected in [
                "Paula",
                "Maria",
                "1ª Zona Eleitoral",
                "quinta-feira, 3 de dezembro de 2026",
                "09:10",
                "https://meet.google.com/abc-defg-hij",
            ] {
                assert!(part.contains(expected), "{expected} in {part}");
            }
        }
        let moved = templates
            .render(Message::InterpreterInvited, &interpreter_invited(true))
            .unwrap();
        assert!(
            moved
                .subject
                .starts_with("Interpretação em Libras remarcada")
        );
        assert!(
            moved
                .text
                .contains("não é mais em quarta-feira, 2 de dezembro de 2026 às 08:30")
        );
    }

    #[test]
    fn every_template_renders_with_its_context() {
        for (message, rendered) in every_message() {
            let rendered = rendered.unwrap_or_else(|error| panic!("{message:?}: {error}"));
            assert!(
                !rendered.subject.is_empty() && !rendered.subject.contains('\n'),
                "{message:?}"
            );
            assert!(rendered.text.len() > 40, "{message:?}");
            assert!(
                rendered.html.starts_with("<!DOCTYPE html>")
                    && rendered.html.contains("lang=\"pt-BR\""),
                "{message:?}"
            );
        }
    }

    #[test]
    fn a_missing_variable_is_an_error_not_a_blank() {
        let templates = Templates::new(Path::new("email_templates"));
        let result = templates.render(Message::Rejected, &common("Maria"));
        let error = result.unwrap_err().to_string();
        assert!(error.contains("rejected/"), "{error}");
    }

    #[test]
    fn html_is_escaped_and_text_is_not() {
        let templates = Templates::new(Path::new("email_templates"));
        let context = RequestReceived {
            common: common("Ana <b>&</b>"),
            subject: "x".into(),
        };
        let rendered = templates
            .render(Message::RequestReceived, &context)
            .unwrap();
        assert!(
            rendered.html.contains("Ana &lt;b&gt;&amp;&lt;&#x2f;b&gt;")
                || rendered.html.contains("Ana &lt;b&gt;&amp;&lt;/b&gt;"),
            "{}",
            rendered.html
        );
        assert!(rendered.text.contains("Ana <b>&</b>"));
    }

    #[test]
    fn the_scheduled_message_carries_date_time_and_link() {
        let (_, rendered) = every_message()
            .into_iter()
            .find(|(m, _)| *m == Message::Scheduled)
            .unwrap();
        let rendered = rendered.unwrap();
        // The HTML escaper writes `/` as `&#x2f;`, which every HTML reader decodes.
        let html = rendered.html.replace("&#x2f;", "/");
        for part in [&rendered.text, &html] {
            assert!(part.contains("quinta-feira, 3 de dezembro de 2026"));
            assert!(part.contains("09:10"));
            assert!(part.contains("https://meet.google.com/abc-defg-hij"));
            assert!(part.contains("acompanhar/2026-000123?token=abc"));
        }
        assert_eq!(
            rendered.subject,
            "Atendimento marcado: quinta-feira, 3 de dezembro de 2026 às 09:10 — 2026-000123"
        );
    }

    #[test]
    fn a_file_on_disk_overrides_the_shipped_template() {
        let folder = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(folder.path().join("rejected")).unwrap();
        std::fs::write(
            folder.path().join("rejected/subject.txt"),
            "Pedido {{ protocol }} indeferido",
        )
        .unwrap();
        let templates = Templates::new(folder.path());
        let rendered = templates
            .render(
                Message::Rejected,
                &Rejected {
                    common: common("Maria"),
                    reason: "x".into(),
                },
            )
            .unwrap();
        assert_eq!(rendered.subject, "Pedido 2026-000123 indeferido");
        assert!(
            rendered.text.contains("Motivo: x"),
            "the other parts stay shipped"
        );
    }
}
