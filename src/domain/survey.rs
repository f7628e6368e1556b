//! The satisfaction survey of a finished attendance (Lei 13.460/2017, art. 23: the public
//! evaluates the services it receives). After a request is done with the requester attended,
//! by video or by messages, the requester is invited once by e-mail to rate it from 1 to 5
//! with an optional comment, and may answer once.

use super::{
    field_errors::FieldErrors,
    job::Job,
    status::{Outcome, Status},
    text::{CharacterError, Lines, ShortTextError, short_text},
};

/// How satisfied the requester was, from 1 to 5.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Rating {
    VeryDissatisfied,
    Dissatisfied,
    Neutral,
    Satisfied,
    VerySatisfied,
}

impl Rating {
    /// From the worst to the best, as the form lists them.
    pub const ALL: [Rating; 5] = [
        Rating::VeryDissatisfied,
        Rating::Dissatisfied,
        Rating::Neutral,
        Rating::Satisfied,
        Rating::VerySatisfied,
    ];

    /// The number in the API and the database.
    pub fn value(self) -> u8 {
        match self {
            Rating::VeryDissatisfied => 1,
            Rating::Dissatisfied => 2,
            Rating::Neutral => 3,
            Rating::Satisfied => 4,
            Rating::VerySatisfied => 5,
        }
    }

    pub fn from_value(value: i64) -> Result<Rating, RatingError> {
        Rating::ALL
            .into_iter()
            .find(|rating| i64::from(rating.value()) == value)
            .ok_or(RatingError::OutOfRange)
    }

    /// What the requester reads beside the number: plain words, not stars or faces, so a
    /// screen reader says what each choice means.
    pub fn label(self) -> &'static str {
        match self {
            Rating::VeryDissatisfied => "Muito insatisfeito(a)",
            Rating::Dissatisfied => "Insatisfeito(a)",
            Rating::Neutral => "Nem satisfeito(a) nem insatisfeito(a)",
            Rating::Satisfied => "Satisfeito(a)",
            Rating::VerySatisfied => "Muito satisfeito(a)",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum RatingError {
    #[error("Escolha uma nota de 1 a 5.")]
    Missing,
    #[error("A nota deve ser um número de 1 a 5.")]
    OutOfRange,
}

/// The longest comment: a few paragraphs, enough to say what went well or wrong.
pub const COMMENT_MAX_CHARS: usize = 1000;

/// The requester's optional comment: up to [`COMMENT_MAX_CHARS`] characters, line breaks
/// allowed, nothing invisible. Staff read it as text, never as markup.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Comment(String);

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum CommentError {
    #[error("O comentário deve ter no máximo {COMMENT_MAX_CHARS} caracteres.")]
    TooLong,
    #[error(
        "O comentário contém caracteres invisíveis ou de controle; apague-os e digite de novo."
    )]
    Invisible,
}

impl Comment {
    /// `None` for a blank comment: it is optional, and blank says nothing.
    pub fn parse(input: &str) -> Result<Option<Comment>, CommentError> {
        match short_text(input, COMMENT_MAX_CHARS, Lines::Many) {
            Ok(text) => Ok(text.map(Comment)),
            Err(ShortTextError::TooLong { .. }) => Err(CommentError::TooLong),
            // A multi-line text has no line break to refuse: only what cannot be seen.
            Err(ShortTextError::Characters(
                CharacterError::Invisible | CharacterError::LineBreak,
            )) => Err(CommentError::Invisible),
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// What the requester sends, before it is checked.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SurveyInput {
    pub rating: Option<i64>,
    pub comment: Option<String>,
}

/// An answer that holds: a rating and, perhaps, a comment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SurveyAnswer {
    pub rating: Rating,
    pub comment: Option<Comment>,
}

impl SurveyAnswer {
    /// The answer, or every field's problem at once under `rating` and `comment`.
    pub fn parse(input: &SurveyInput) -> Result<SurveyAnswer, FieldErrors> {
        let mut errors = FieldErrors::new();
        let rating = errors.check(
            "rating",
            input
                .rating
                .ok_or(RatingError::Missing)
                .and_then(Rating::from_value),
        );
        let comment = errors.check(
            "comment",
            Comment::parse(input.comment.as_deref().unwrap_or_default()),
        );
        match (rating, comment) {
            (Some(rating), Some(comment)) if errors.is_empty() => {
                Ok(SurveyAnswer { rating, comment })
            }
            _ => Err(errors),
        }
    }
}

/// Why an answer is not taken.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum SurveyRefusal {
    /// The request is not done with the requester attended.
    #[error("{}", not_eligible(*status, *outcome))]
    NotEligible {
        status: Status,
        outcome: Option<Outcome>,
    },
    #[error(
        "Este atendimento já foi avaliado: a avaliação é respondida uma só vez. Obrigado pela sua resposta."
    )]
    AlreadyAnswered,
}

impl SurveyRefusal {
    /// The API's stable code.
    pub fn code(self) -> &'static str {
        match self {
            SurveyRefusal::NotEligible { .. } => "not_eligible",
            SurveyRefusal::AlreadyAnswered => "already_answered",
        }
    }
}

fn not_eligible(status: Status, outcome: Option<Outcome>) -> &'static str {
    match (status, outcome) {
        (Status::Done, Some(Outcome::NoShow)) => {
            "Não houve atendimento para avaliar: o pedido foi encerrado porque não houve comparecimento na reunião."
        }
        (Status::Done, _) => "Este pedido não tem atendimento para avaliar.",
        (Status::Rejected, _) => "Não houve atendimento para avaliar: o pedido foi indeferido.",
        (Status::Cancelled, _) => "Não houve atendimento para avaliar: o pedido foi cancelado.",
        (Status::Submitted | Status::Triaged | Status::Offered | Status::Scheduled, _) => {
            "O atendimento deste pedido ainda não foi concluído: a avaliação fica disponível depois da conclusão."
        }
    }
}

/// Whether a completion with `outcome` invites the requester to the survey: only when they
/// were attended, by video or by messages. A no-show had no attendance to rate.
pub fn invites(outcome: Outcome) -> bool {
    match outcome {
        Outcome::Attended | Outcome::AttendedByMessage => true,
        Outcome::NoShow => false,
    }
}

/// Whether the requester may answer now: once, and only for a request done with them
/// attended.
pub fn may_answer(
    status: Status,
    outcome: Option<Outcome>,
    answered: bool,
) -> Result<(), SurveyRefusal> {
    match (status, outcome) {
        (Status::Done, Some(outcome)) if invites(outcome) => {
            if answered {
                Err(SurveyRefusal::AlreadyAnswered)
            } else {
                Ok(())
            }
        }
        _ => Err(SurveyRefusal::NotEligible { status, outcome }),
    }
}

/// The invitation a completion with `outcome` queues, if any, with its outbox key. The key
/// names the request alone: a request is invited once, whatever else is written later.
pub fn invitation(request_id: i64, outcome: Outcome) -> Option<(Job, String)> {
    invites(outcome).then(|| {
        let job = Job::Survey { request_id };
        let key = format!("request:{request_id}:{}", job.kind().as_str());
        (job, key)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ratings_are_one_to_five_with_plain_labels() {
        let cases: [(i64, Result<&str, RatingError>); 9] = [
            (1, Ok("Muito insatisfeito(a)")),
            (2, Ok("Insatisfeito(a)")),
            (3, Ok("Nem satisfeito(a) nem insatisfeito(a)")),
            (4, Ok("Satisfeito(a)")),
            (5, Ok("Muito satisfeito(a)")),
            (0, Err(RatingError::OutOfRange)),
            (6, Err(RatingError::OutOfRange)),
            (-1, Err(RatingError::OutOfRange)),
            (i64::MAX, Err(RatingError::OutOfRange)),
        ];
        for (value, expected) in cases {
            let rating = Rating::from_value(value);
            assert_eq!(rating.map(Rating::label), expected, "{value}");
            if let Ok(rating) = rating {
                assert_eq!(i64::from(rating.value()), value);
            }
        }
        let values: Vec<u8> = Rating::ALL.into_iter().map(Rating::value).collect();
        assert_eq!(values, [1, 2, 3, 4, 5], "the form lists them in order");
    }

    /// A description, the typed comment, and what it parses to.
    type CommentCase = (&'static str, String, Result<Option<String>, CommentError>);

    #[test]
    fn comments_are_optional_bounded_and_visible() {
        let kept = |text: &str| Ok(Some(text.to_string()));
        let cases: [CommentCase; 10] = [
            ("absent", String::new(), Ok(None)),
            ("blank", " \n\t ".into(), Ok(None)),
            (
                "trimmed",
                "  Ótimo atendimento.  ".into(),
                kept("Ótimo atendimento."),
            ),
            (
                "several lines, the browser's CRLF unified",
                "Rápido.\r\nEducado.".into(),
                kept("Rápido.\nEducado."),
            ),
            ("exactly 1000", "a".repeat(1000), kept(&"a".repeat(1000))),
            ("1001", "a".repeat(1001), Err(CommentError::TooLong)),
            (
                "1000 accented letters, not bytes",
                "é".repeat(1000),
                kept(&"é".repeat(1000)),
            ),
            (
                "zero-width space",
                "Bom\u{200B}".into(),
                Err(CommentError::Invisible),
            ),
            (
                "bidi override",
                "Bom \u{202E}ruim".into(),
                Err(CommentError::Invisible),
            ),
            ("NUL", "Bom\0".into(), Err(CommentError::Invisible)),
        ];
        for (description, input, expected) in cases {
            let parsed = Comment::parse(&input).map(|comment| comment.map(|c| c.0));
            assert_eq!(parsed, expected, "{description}");
        }
        assert_eq!(
            CommentError::TooLong.to_string(),
            "O comentário deve ter no máximo 1000 caracteres."
        );
    }

    #[test]
    fn an_answer_reports_every_field_at_once() {
        let cases = [
            (
                "a rating alone",
                SurveyInput {
                    rating: Some(5),
                    comment: None,
                },
                Ok((Rating::VerySatisfied, None)),
            ),
            (
                "with a comment",
                SurveyInput {
                    rating: Some(2),
                    comment: Some("Demorou.".into()),
                },
                Ok((Rating::Dissatisfied, Some("Demorou."))),
            ),
            (
                "no rating",
                SurveyInput::default(),
                Err(vec![("rating", "Escolha uma nota de 1 a 5.")]),
            ),
            (
                "both wrong",
                SurveyInput {
                    rating: Some(0),
                    comment: Some("x".repeat(1001)),
                },
                Err(vec![
                    (
                        "comment",
                        "O comentário deve ter no máximo 1000 caracteres.",
                    ),
                    ("rating", "A nota deve ser um número de 1 a 5."),
                ]),
            ),
        ];
        for (description, input, expected) in cases {
            let parsed = SurveyAnswer::parse(&input);
            match expected {
                Ok((rating, comment)) => {
                    let answer =
                        parsed.unwrap_or_else(|errors| panic!("{description}: {errors:?}"));
                    assert_eq!(answer.rating, rating, "{description}");
                    assert_eq!(
                        answer.comment.as_ref().map(Comment::as_str),
                        comment,
                        "{description}"
                    );
                }
                Err(fields) => {
                    let errors = parsed.expect_err(description);
                    let found: Vec<(&str, &str)> = errors
                        .fields()
                        .flat_map(|field| {
                            errors
                                .get(field)
                                .unwrap_or_default()
                                .iter()
                                .map(move |message| (field, message.as_str()))
                        })
                        .collect();
                    assert_eq!(found, fields, "{description}");
                }
            }
        }
    }

    #[test]
    fn only_a_request_done_with_the_requester_attended_is_answered_once() {
        use Outcome::{Attended, AttendedByMessage, NoShow};
        use Status::*;
        let not_eligible = |status, outcome| Err(SurveyRefusal::NotEligible { status, outcome });
        let cases = [
            ("attended by video", Done, Some(Attended), false, Ok(())),
            (
                "attended by messages",
                Done,
                Some(AttendedByMessage),
                false,
                Ok(()),
            ),
            (
                "a second answer",
                Done,
                Some(Attended),
                true,
                Err(SurveyRefusal::AlreadyAnswered),
            ),
            (
                "no show",
                Done,
                Some(NoShow),
                false,
                not_eligible(Done, Some(NoShow)),
            ),
            (
                "done without an outcome",
                Done,
                None,
                false,
                not_eligible(Done, None),
            ),
            (
                "rejected",
                Rejected,
                None,
                false,
                not_eligible(Rejected, None),
            ),
            (
                "cancelled",
                Cancelled,
                None,
                false,
                not_eligible(Cancelled, None),
            ),
            (
                "submitted",
                Submitted,
                None,
                false,
                not_eligible(Submitted, None),
            ),
            ("triaged", Triaged, None, false, not_eligible(Triaged, None)),
            ("offered", Offered, None, false, not_eligible(Offered, None)),
            (
                "scheduled",
                Scheduled,
                None,
                false,
                not_eligible(Scheduled, None),
            ),
            (
                "a no-show is not eligible even if somehow answered",
                Done,
                Some(NoShow),
                true,
                not_eligible(Done, Some(NoShow)),
            ),
        ];
        for (description, status, outcome, answered, expected) in cases {
            assert_eq!(
                may_answer(status, outcome, answered),
                expected,
                "{description}"
            );
        }
    }

    #[test]
    fn refusals_have_codes_and_say_why_in_portuguese() {
        let cases = [
            (
                SurveyRefusal::AlreadyAnswered,
                "already_answered",
                "já foi avaliado",
            ),
            (
                SurveyRefusal::NotEligible {
                    status: Status::Done,
                    outcome: Some(Outcome::NoShow),
                },
                "not_eligible",
                "não houve comparecimento",
            ),
            (
                SurveyRefusal::NotEligible {
                    status: Status::Cancelled,
                    outcome: None,
                },
                "not_eligible",
                "cancelado",
            ),
            (
                SurveyRefusal::NotEligible {
                    status: Status::Rejected,
                    outcome: None,
                },
                "not_eligible",
                "indeferido",
            ),
            (
                SurveyRefusal::NotEligible {
                    status: Status::Scheduled,
                    outcome: None,
                },
                "not_eligible",
                "ainda não foi concluído",
            ),
        ];
        for (refusal, code, words) in cases {
            assert_eq!(refusal.code(), code);
            let message = refusal.to_string();
            assert!(message.contains(words), "{message}");
            assert!(message.ends_with('.'), "a sentence: {message}");
        }
    }

    #[test]
    fn a_completion_invites_once_only_when_the_requester_was_attended() {
        let cases = [
            (Outcome::Attended, true),
            (Outcome::AttendedByMessage, true),
            (Outcome::NoShow, false),
        ];
        for (outcome, invited) in cases {
            let invitation = invitation(7, outcome);
            assert_eq!(invitation.is_some(), invited, "{outcome:?}");
            if let Some((job, key)) = invitation {
                assert_eq!(job, Job::Survey { request_id: 7 });
                assert_eq!(key, "request:7:email.survey", "one key per request");
            }
        }
    }
}
