//! A public submission turned into a `NewRequest`, or into every field error at once, so the
//! requester fixes the whole form in one round instead of one field per attempt.

use std::collections::HashSet;
use std::fmt::Display;

use chrono::{NaiveDate, TimeDelta};

use super::cpf::Cpf;
use super::email::Email;
pub use super::field_errors::FieldErrors;
use super::oab::Oab;
use super::phone::Phone;
use super::preferential::Preferential;
use super::process_number::ProcessNumber;
use super::text::{Description, PersonName, RequesterRole, Subject};
use super::{accessibility::Accessibility, messages::Mode};

/// What the form or JSON carried, before any rule; the HTTP layer fills it (a field of the
/// wrong JSON type is reported by the HTTP layer, not here).
#[derive(Debug, Clone, Default)]
pub struct SubmissionInput {
    pub zone: Option<i64>,
    pub name: Option<String>,
    pub cpf: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub role: Option<String>,
    pub oab: Option<String>,
    pub process_number: Option<String>,
    pub subject: Option<String>,
    pub description: Option<String>,
    pub preferred_dates: Vec<String>,
    /// A code of [`Preferential`]; absent or empty for none.
    pub preferential: Option<String>,
    /// Codes of accessibility needs (`domain::accessibility::Need`), and a note.
    pub accessibility: Vec<String>,
    pub accessibility_note: Option<String>,
    /// `video` or `message`; absent or empty for video.
    pub mode: Option<String>,
    pub consent: Option<bool>,
}

/// The facts a submission is judged against that are not in the submission itself.
pub struct SubmissionRules<'a> {
    /// Today in America/Belem, given by the caller (the domain reads no clock).
    pub today: NaiveDate,
    /// How far ahead a preferred date may be (60).
    pub max_days_ahead: i64,
    /// How many preferred dates one request may name (5).
    pub max_preferred_dates: usize,
    /// A weekday that is not a holiday of the zone.
    pub is_business_day: &'a dyn Fn(NaiveDate) -> bool,
}

/// A request whose every field has passed its rule; only this can be stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewRequest {
    pub zone: i32,
    pub name: PersonName,
    pub cpf: Cpf,
    pub email: Email,
    pub phone: Phone,
    pub role: RequesterRole,
    pub oab: Option<Oab>,
    pub process_number: Option<ProcessNumber>,
    pub subject: Subject,
    pub description: Description,
    pub preferred_dates: Vec<NaiveDate>,
    pub preferential: Option<Preferential>,
    pub accessibility: Accessibility,
    pub mode: Mode,
}

/// A well-formed submission refused because of what is already stored.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SubmissionRefusal {
    #[error("{}", too_many_open(*limit))]
    TooManyOpen { limit: u32 },
    /// Closed between the form's check and the insert.
    #[error("Esta zona eleitoral não existe.")]
    UnknownZone,
}

impl SubmissionRefusal {
    pub fn field(&self) -> &'static str {
        match self {
            SubmissionRefusal::TooManyOpen { .. } => "email",
            SubmissionRefusal::UnknownZone => "zone",
        }
    }

    /// The refusal as the form's field errors.
    pub fn field_errors(&self) -> FieldErrors {
        let mut errors = FieldErrors::new();
        errors.add(self.field(), self.to_string());
        errors
    }
}

/// States the rule, not what is stored: whoever typed the address may not own it, so the
/// message says nothing of whose requests they are or what they hold.
fn too_many_open(limit: u32) -> String {
    let requests = match limit {
        1 => "1 pedido".to_string(),
        n => format!("{n} pedidos"),
    };
    format!(
        "Cada endereço de e-mail pode ter até {requests} em andamento ao mesmo tempo. \
         Se o endereço é seu, acompanhe os pedidos pelos links enviados a ele; quando um for \
         concluído ou cancelado, você poderá fazer outro."
    )
}

/// A person may keep at most `limit` requests open at once (0 turns the limit off), counted
/// by their e-mail address ([`Email::limit_key`]): `open` is how many are open under it.
///
/// The e-mail, not the CPF, because it is what the requester proves they hold (the tracking
/// link goes there): requests filed with someone's CPF and other addresses must not refuse
/// that person's own.
pub fn within_open_limit(open: u64, limit: u32) -> Result<(), SubmissionRefusal> {
    if limit > 0 && open >= u64::from(limit) {
        Err(SubmissionRefusal::TooManyOpen { limit })
    } else {
        Ok(())
    }
}

const ZONE_MESSAGE: &str = "Escolha a zona eleitoral.";
const OAB_REQUIRED_MESSAGE: &str = "Informe o número da OAB: é obrigatório para advogado(a).";
const CONSENT_MESSAGE: &str =
    "É preciso concordar com o tratamento dos dados para enviar a solicitação.";

impl NewRequest {
    pub fn parse(input: SubmissionInput, rules: &SubmissionRules<'_>) -> Result<Self, FieldErrors> {
        let mut errors = FieldErrors::new();
        let zone = input
            .zone
            .and_then(|zone| i32::try_from(zone).ok())
            .filter(|zone| (1..=999).contains(zone));
        if zone.is_none() {
            errors.add("zone", ZONE_MESSAGE);
        }
        let name = required(&mut errors, "name", &input.name, PersonName::parse);
        let cpf = required(&mut errors, "cpf", &input.cpf, Cpf::parse);
        let email = required(&mut errors, "email", &input.email, Email::parse);
        let phone = required(&mut errors, "phone", &input.phone, Phone::parse);
        let role = required(&mut errors, "role", &input.role, RequesterRole::parse);
        let oab = match (non_blank(&input.oab), role) {
            (None, Some(RequesterRole::Advogado)) => {
                errors.add("oab", OAB_REQUIRED_MESSAGE);
                None
            }
            (None, _) => Some(None),
            // Validated whatever the role, so a typo is caught even when it was optional.
            (Some(oab), _) => checked(&mut errors, "oab", Oab::parse(oab)).map(Some),
        };
        let process_number = match non_blank(&input.process_number) {
            None => Some(None),
            Some(number) => {
                checked(&mut errors, "process_number", ProcessNumber::parse(number)).map(Some)
            }
        };
        let subject = required(&mut errors, "subject", &input.subject, Subject::parse);
        let description = required(
            &mut errors,
            "description",
            &input.description,
            Description::parse,
        );
        let preferred_dates = preferred_dates(&mut errors, &input.preferred_dates, rules);
        let preferential = checked(
            &mut errors,
            "preferential",
            Preferential::parse_optional(input.preferential.as_deref().unwrap_or_default()),
        );
        let accessibility =
            match Accessibility::parse(&input.accessibility, input.accessibility_note.as_deref()) {
                Ok(accessibility) => Some(accessibility),
                Err(error) => {
                    errors.add(error.field(), error.to_string());
                    None
                }
            };
        let mode = checked(
            &mut errors,
            "mode",
            Mode::parse_optional(input.mode.as_deref().unwrap_or_default()),
        );
        if input.consent != Some(true) {
            errors.add("consent", CONSENT_MESSAGE);
        }

        // Every `None` above recorded an error, so the guard only restates that invariant.
        match (
            zone,
            name,
            cpf,
            email,
            phone,
            role,
            oab,
            process_number,
            subject,
            description,
            preferred_dates,
            preferential,
            accessibility,
            mode,
        ) {
            (
                Some(zone),
                Some(name),
                Some(cpf),
                Some(email),
                Some(phone),
                Some(role),
                Some(oab),
                Some(process_number),
                Some(subject),
                Some(description),
                Some(preferred_dates),
                Some(preferential),
                Some(accessibility),
                Some(mode),
            ) if errors.is_empty() => Ok(Self {
                zone,
                name,
                cpf,
                email,
                phone,
                role,
                oab,
                process_number,
                subject,
                description,
                preferred_dates,
                preferential,
                accessibility,
                mode,
            }),
            _ => Err(errors),
        }
    }
}

/// A missing field is parsed as an empty one, so each type's "Informe ..." message is used.
pub(super) fn required<T, E: Display>(
    errors: &mut FieldErrors,
    field: &str,
    value: &Option<String>,
    parse: impl FnOnce(&str) -> Result<T, E>,
) -> Option<T> {
    checked(errors, field, parse(value.as_deref().unwrap_or_default()))
}

pub(super) fn checked<T, E: Display>(
    errors: &mut FieldErrors,
    field: &str,
    result: Result<T, E>,
) -> Option<T> {
    result.map_err(|e| errors.add(field, e.to_string())).ok()
}

pub(super) fn non_blank(value: &Option<String>) -> Option<&str> {
    value.as_deref().map(str::trim).filter(|v| !v.is_empty())
}

/// The dates in the order given, or `None` once any of them broke a rule.
fn preferred_dates(
    errors: &mut FieldErrors,
    raw: &[String],
    rules: &SubmissionRules<'_>,
) -> Option<Vec<NaiveDate>> {
    const FIELD: &str = "preferred_dates";
    let mut ok = true;
    let mut fail = |message: String| {
        errors.add(FIELD, message);
        ok = false;
    };
    if raw.len() > rules.max_preferred_dates {
        fail(match rules.max_preferred_dates {
            1 => "Escolha no máximo 1 data.".to_owned(),
            max => format!("Escolha no máximo {max} datas."),
        });
    }
    let last = TimeDelta::try_days(rules.max_days_ahead)
        .and_then(|ahead| rules.today.checked_add_signed(ahead))
        .unwrap_or(if rules.max_days_ahead < 0 {
            NaiveDate::MIN
        } else {
            NaiveDate::MAX
        });
    let mut seen = HashSet::new();
    let mut duplicates_reported = HashSet::new();
    let mut dates = Vec::with_capacity(raw.len().min(rules.max_preferred_dates));
    for (position, text) in raw.iter().enumerate() {
        let Some(date) = parse_iso_date(text.trim()) else {
            fail(format!(
                "A {}ª data preferida é inválida: use o formato AAAA-MM-DD.",
                position + 1
            ));
            continue;
        };
        let shown = date.format("%d/%m/%Y");
        if !seen.insert(date) {
            // The first occurrence already carries any other problem of this date.
            if duplicates_reported.insert(date) {
                fail(format!("{shown} foi informada mais de uma vez."));
            }
            continue;
        }
        if date <= rules.today {
            fail(format!("{shown}: escolha uma data a partir de amanhã."));
        } else if date > last {
            fail(format!(
                "{shown} está muito distante: escolha uma data até {}.",
                last.format("%d/%m/%Y")
            ));
        } else if !(rules.is_business_day)(date) {
            fail(format!("{shown} não é dia útil."));
        } else {
            dates.push(date);
        }
    }
    ok.then_some(dates)
}

/// Exactly `YYYY-MM-DD`: chrono alone would also take `2026-1-3` or `+2026-01-03`.
fn parse_iso_date(text: &str) -> Option<NaiveDate> {
    let bytes = text.as_bytes();
    let shaped = bytes.len() == 10
        && bytes.iter().enumerate().all(|(i, b)| match i {
            4 | 7 => *b == b'-',
            _ => b.is_ascii_digit(),
        });
    shaped
        .then(|| NaiveDate::parse_from_str(text, "%Y-%m-%d").ok())
        .flatten()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Datelike;

    fn date(text: &str) -> NaiveDate {
        NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap()
    }

    /// Weekdays, minus Consciência Negra, Nossa Senhora da Conceição (Belém) and the recess.
    fn business_day(day: NaiveDate) -> bool {
        let weekday = day.weekday().number_from_monday() <= 5;
        let holiday = ["2026-11-20", "2026-12-08"].map(date).contains(&day)
            || (date("2026-12-20")..=date("2027-01-06")).contains(&day);
        weekday && !holiday
    }

    fn rules() -> SubmissionRules<'static> {
        SubmissionRules {
            today: date("2026-11-16"), // a Monday
            max_days_ahead: 60,
            max_preferred_dates: 5,
            is_business_day: &business_day,
        }
    }

    fn valid_input() -> SubmissionInput {
        SubmissionInput {
            zone: Some(29),
            name: Some("Maria da Conceição Souza".into()),
            cpf: Some("123.456.789-09".into()),
            email: Some("Maria@Example.com.br".into()),
            phone: Some("(91) 98765-4321".into()),
            role: Some("parte".into()),
            oab: None,
            process_number: Some("0600123-10.2024.6.14.0001".into()),
            subject: Some("Transferência de título".into()),
            description: Some("Preciso transferir meu título para Ananindeua.".into()),
            preferred_dates: vec!["2026-11-17".into(), "2026-11-24".into()],
            preferential: None,
            accessibility: vec![],
            accessibility_note: None,
            mode: None,
            consent: Some(true),
        }
    }

    fn strings(items: &[&str]) -> Vec<String> {
        items.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn the_baseline_is_valid_and_canonical() {
        let request = NewRequest::parse(valid_input(), &rules()).unwrap();
        assert_eq!(request.zone, 29);
        assert_eq!(request.name.as_str(), "Maria da Conceição Souza");
        assert_eq!(request.cpf.as_str(), "12345678909");
        assert_eq!(request.email.as_str(), "Maria@example.com.br");
        assert_eq!(request.phone.as_str(), "+5591987654321");
        assert_eq!(request.role, RequesterRole::Parte);
        assert_eq!(request.oab, None);
        assert_eq!(
            request.process_number.map(|p| p.to_string()),
            Some("0600123-10.2024.6.14.0001".to_owned())
        );
        assert_eq!(
            request.preferred_dates,
            vec![date("2026-11-17"), date("2026-11-24")]
        );
    }

    type Change = fn(&mut SubmissionInput);

    #[test]
    fn each_broken_field_is_reported_under_its_name() {
        let cases: &[(&str, Change, &[&str])] = &[
            ("zone missing", |i| i.zone = None, &["zone"]),
            (
                "unknown preferential category",
                |i| i.preferential = Some("vip".into()),
                &["preferential"],
            ),
            ("zone zero", |i| i.zone = Some(0), &["zone"]),
            ("zone 1000", |i| i.zone = Some(1000), &["zone"]),
            ("zone beyond i32", |i| i.zone = Some(i64::MAX), &["zone"]),
            ("zone negative", |i| i.zone = Some(-1), &["zone"]),
            ("name missing", |i| i.name = None, &["name"]),
            ("name blank", |i| i.name = Some("   ".into()), &["name"]),
            (
                "name markup",
                |i| i.name = Some("<script>".into()),
                &["name"],
            ),
            ("cpf missing", |i| i.cpf = None, &["cpf"]),
            (
                "cpf check digits",
                |i| i.cpf = Some("123.456.789-00".into()),
                &["cpf"],
            ),
            (
                "cpf repeated",
                |i| i.cpf = Some("111.111.111-11".into()),
                &["cpf"],
            ),
            ("email missing", |i| i.email = None, &["email"]),
            (
                "email invalid",
                |i| i.email = Some("maria@".into()),
                &["email"],
            ),
            ("phone missing", |i| i.phone = None, &["phone"]),
            (
                "phone foreign",
                |i| i.phone = Some("+1 415 555 2671".into()),
                &["phone"],
            ),
            (
                "phone bad DDD",
                |i| i.phone = Some("(20) 98765-4321".into()),
                &["phone"],
            ),
            ("role missing", |i| i.role = None, &["role"]),
            ("role unknown", |i| i.role = Some("juiz".into()), &["role"]),
            (
                "lawyer without OAB",
                |i| i.role = Some("advogado".into()),
                &["oab"],
            ),
            (
                "lawyer with blank OAB",
                |i| {
                    i.role = Some("advogado".into());
                    i.oab = Some("  ".into());
                },
                &["oab"],
            ),
            (
                "lawyer with bad OAB",
                |i| {
                    i.role = Some("advogado".into());
                    i.oab = Some("XX 123".into());
                },
                &["oab"],
            ),
            (
                "party with bad OAB",
                |i| i.oab = Some("PA 1234567".into()),
                &["oab"],
            ),
            (
                "unknown role and bad OAB",
                |i| {
                    i.role = Some("juiz".into());
                    i.oab = Some("12345".into());
                },
                &["oab", "role"],
            ),
            (
                "process number check digits",
                |i| i.process_number = Some("0600123-45.2024.6.14.0001".into()),
                &["process_number"],
            ),
            ("subject missing", |i| i.subject = None, &["subject"]),
            (
                "subject markup",
                |i| i.subject = Some("<b>Oi</b>".into()),
                &["subject"],
            ),
            (
                "description missing",
                |i| i.description = None,
                &["description"],
            ),
            (
                "description too short",
                |i| i.description = Some("Ajuda".into()),
                &["description"],
            ),
            ("consent missing", |i| i.consent = None, &["consent"]),
            ("consent refused", |i| i.consent = Some(false), &["consent"]),
            (
                "date today",
                |i| i.preferred_dates = strings(&["2026-11-16"]),
                &["preferred_dates"],
            ),
            (
                "date past",
                |i| i.preferred_dates = strings(&["2026-10-01"]),
                &["preferred_dates"],
            ),
            (
                "date beyond 60 days",
                |i| i.preferred_dates = strings(&["2027-01-18"]),
                &["preferred_dates"],
            ),
            (
                "date on a Saturday",
                |i| i.preferred_dates = strings(&["2026-12-05"]),
                &["preferred_dates"],
            ),
            (
                "date on a holiday",
                |i| i.preferred_dates = strings(&["2026-11-20"]),
                &["preferred_dates"],
            ),
            (
                "date in the recess",
                |i| i.preferred_dates = strings(&["2027-01-05"]),
                &["preferred_dates"],
            ),
            (
                "date repeated",
                |i| i.preferred_dates = strings(&["2026-11-17", " 2026-11-17"]),
                &["preferred_dates"],
            ),
            (
                "six dates",
                |i| {
                    i.preferred_dates = strings(&[
                        "2026-11-17",
                        "2026-11-18",
                        "2026-11-19",
                        "2026-11-23",
                        "2026-11-24",
                        "2026-11-25",
                    ])
                },
                &["preferred_dates"],
            ),
            (
                "date in Brazilian format",
                |i| i.preferred_dates = strings(&["17/11/2026"]),
                &["preferred_dates"],
            ),
            (
                "date unpadded",
                |i| i.preferred_dates = strings(&["2026-11-3"]),
                &["preferred_dates"],
            ),
            (
                "date that does not exist",
                |i| i.preferred_dates = strings(&["2026-02-30"]),
                &["preferred_dates"],
            ),
            (
                "date empty",
                |i| i.preferred_dates = strings(&[""]),
                &["preferred_dates"],
            ),
        ];
        assert!(cases.len() >= 25);
        for (description, change, fields) in cases {
            let mut input = valid_input();
            change(&mut input);
            let errors = NewRequest::parse(input, &rules()).expect_err(description);
            let actual: Vec<&str> = errors.fields().collect();
            assert_eq!(actual, *fields, "{description}: {errors:?}");
        }
    }

    #[test]
    fn variations_that_stay_valid() {
        let cases: &[(&str, Change)] = &[
            ("lawyer with OAB", |i| {
                i.role = Some("Advogado".into());
                i.oab = Some("OAB/PA 12.345".into());
            }),
            ("interested party with OAB", |i| {
                i.role = Some("interessado".into());
                i.oab = Some("12345/PA".into());
            }),
            ("no process number", |i| i.process_number = None),
            ("blank process number", |i| {
                i.process_number = Some(" ".into())
            }),
            ("blank OAB for a party", |i| i.oab = Some("".into())),
            ("no preferred dates", |i| i.preferred_dates.clear()),
            ("a preferential category", |i| {
                i.preferential = Some("idoso80".into())
            }),
            ("an empty preferential field", |i| {
                i.preferential = Some("".into())
            }),
            ("zone 1", |i| i.zone = Some(1)),
            ("zone 999", |i| i.zone = Some(999)),
            ("last allowed day", |i| {
                i.preferred_dates = strings(&["2027-01-15"])
            }),
            ("five dates", |i| {
                i.preferred_dates = strings(&[
                    "2026-11-17",
                    "2026-11-18",
                    "2026-11-19",
                    "2026-11-23",
                    "2026-11-24",
                ])
            }),
        ];
        for (description, change) in cases {
            let mut input = valid_input();
            change(&mut input);
            let result = NewRequest::parse(input, &rules());
            assert!(result.is_ok(), "{description}: {result:?}");
        }
    }

    #[test]
    fn a_lawyer_keeps_the_canonical_oab() {
        let mut input = valid_input();
        input.role = Some("advogado".into());
        input.oab = Some("oab/pa 12.345-a".into());
        let request = NewRequest::parse(input, &rules()).unwrap();
        assert_eq!(request.role, RequesterRole::Advogado);
        assert_eq!(
            request.oab.map(|o| o.to_string()),
            Some("PA 12345-A".into())
        );
    }

    #[test]
    fn every_bad_field_is_reported_together() {
        let input = SubmissionInput {
            zone: None,
            name: Some("A".into()),
            cpf: Some("000.000.000-00".into()),
            email: Some("sem arroba".into()),
            phone: Some("123".into()),
            role: Some("advogado".into()),
            oab: None,
            process_number: Some("123".into()),
            subject: None,
            description: Some("<p>curta</p>".into()),
            preferred_dates: strings(&["2026-12-05", "ontem", "2026-12-05", "2026-11-16"]),
            preferential: Some("prioridade".into()),
            accessibility: vec!["braille".into()],
            accessibility_note: None,
            mode: Some("telefone".into()),
            consent: Some(false),
        };
        let errors = NewRequest::parse(input, &rules()).unwrap_err();
        let fields: Vec<&str> = errors.fields().collect();
        assert_eq!(
            fields,
            [
                "accessibility",
                "consent",
                "cpf",
                "description",
                "email",
                "mode",
                "name",
                "oab",
                "phone",
                "preferential",
                "preferred_dates",
                "process_number",
                "subject",
                "zone",
            ]
        );
        assert_eq!(
            errors.get("preferred_dates").unwrap(),
            [
                "05/12/2026 não é dia útil.",
                "A 2ª data preferida é inválida: use o formato AAAA-MM-DD.",
                "05/12/2026 foi informada mais de uma vez.",
                "16/11/2026: escolha uma data a partir de amanhã.",
            ]
        );
    }

    #[test]
    fn messages_are_the_ones_the_public_reads() {
        let cases: &[(&str, Change, &str, &str)] = &[
            ("zone", |i| i.zone = None, "zone", ZONE_MESSAGE),
            ("cpf", |i| i.cpf = None, "cpf", "Informe o CPF."),
            (
                "name",
                |i| i.name = Some(" ".into()),
                "name",
                "Informe o nome.",
            ),
            ("consent", |i| i.consent = None, "consent", CONSENT_MESSAGE),
            (
                "lawyer",
                |i| i.role = Some("advogado".into()),
                "oab",
                OAB_REQUIRED_MESSAGE,
            ),
            (
                "business day",
                |i| i.preferred_dates = strings(&["2026-12-05"]),
                "preferred_dates",
                "05/12/2026 não é dia útil.",
            ),
            (
                "beyond",
                |i| i.preferred_dates = strings(&["2027-01-18"]),
                "preferred_dates",
                "18/01/2027 está muito distante: escolha uma data até 15/01/2027.",
            ),
            (
                "too many",
                |i| i.preferred_dates = vec!["x".into(); 6],
                "preferred_dates",
                "Escolha no máximo 5 datas.",
            ),
        ];
        for (description, change, field, message) in cases {
            let mut input = valid_input();
            change(&mut input);
            let errors = NewRequest::parse(input, &rules()).unwrap_err();
            let messages = errors.get(field).unwrap_or_default();
            assert_eq!(
                messages.first().map(String::as_str),
                Some(*message),
                "{description}"
            );
        }
    }

    #[test]
    fn field_errors_merge_and_serialize_as_a_json_object() {
        let mut errors = FieldErrors::new();
        assert!(errors.is_empty());
        errors.add("cpf", "Informe o CPF.");
        let mut other = FieldErrors::new();
        other.add("cpf", "outra");
        other.add("zone", ZONE_MESSAGE);
        errors.merge(other);
        assert_eq!(errors.get("email"), None);
        assert_eq!(
            serde_json::to_value(&errors).unwrap(),
            serde_json::json!({"cpf": ["Informe o CPF.", "outra"], "zone": [ZONE_MESSAGE]})
        );
    }

    #[test]
    fn odd_rules_do_not_panic() {
        let mut input = valid_input();
        input.preferred_dates = strings(&["2026-11-17", "9999-12-31", "0000-01-01"]);
        for max_days_ahead in [i64::MIN, -1, 0, i64::MAX] {
            let rules = SubmissionRules {
                max_days_ahead,
                max_preferred_dates: 0,
                ..rules()
            };
            assert!(NewRequest::parse(input.clone(), &rules).is_err());
        }
    }

    /// A cheap deterministic fuzzer: strings built from characters that have broken parsers
    /// before (separators, digits, markup, combining marks, emoji, control characters).
    #[test]
    fn every_parser_survives_arbitrary_input() {
        const PALETTE: &[char] = &[
            '0',
            '1',
            '5',
            '9',
            '.',
            '-',
            '/',
            '+',
            '(',
            ')',
            ' ',
            '@',
            '<',
            '>',
            '!',
            'a',
            'P',
            'A',
            'º',
            '°',
            '\u{301}',
            '\u{a0}',
            '\u{200B}',
            '\u{2028}',
            '\0',
            '\r',
            '\n',
            '\t',
            'é',
            'ß',
            'İ',
            '😀',
            '١',
            '\u{10FFFF}',
            '\'',
            '’',
        ];
        let mut seed: u64 = 0x5eed;
        let mut next = move || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        for _ in 0..20_000 {
            let len = (next() % 40) as usize;
            let text: String = (0..len)
                .map(|_| PALETTE[(next() % PALETTE.len() as u64) as usize])
                .collect();
            let _ = Cpf::parse(&text);
            let _ = Email::parse(&text);
            let _ = Phone::parse(&text);
            let _ = Oab::parse(&text);
            let _ = ProcessNumber::parse(&text);
            let _ = PersonName::parse(&text);
            let _ = Subject::parse(&text);
            let _ = Description::parse(&text);
            let _ = RequesterRole::parse(&text);
            let _ = parse_iso_date(&text);
        }
    }

    #[test]
    fn a_person_keeps_at_most_the_limit_of_open_requests() {
        let cases = [
            ("none open", 0, 3, Ok(())),
            ("under the limit", 2, 3, Ok(())),
            (
                "at the limit",
                3,
                3,
                Err(SubmissionRefusal::TooManyOpen { limit: 3 }),
            ),
            (
                "over it",
                4,
                3,
                Err(SubmissionRefusal::TooManyOpen { limit: 3 }),
            ),
            ("a limit of 0 is no limit", 99, 0, Ok(())),
        ];
        for (description, open, limit, expected) in cases {
            assert_eq!(within_open_limit(open, limit), expected, "{description}");
        }
    }

    #[test]
    fn the_refusal_states_the_rule_for_the_address_and_nothing_about_anyone() {
        let one = SubmissionRefusal::TooManyOpen { limit: 1 };
        let three = SubmissionRefusal::TooManyOpen { limit: 3 };

        assert_eq!(one.field(), "email");
        assert!(
            one.to_string()
                .starts_with("Cada endereço de e-mail pode ter até 1 pedido em andamento"),
            "{one}"
        );
        assert!(
            three.to_string().contains("até 3 pedidos em andamento"),
            "{three}"
        );
        for message in [one.to_string(), three.to_string()] {
            assert!(!message.contains("CPF"), "{message}");
            assert!(!message.contains("Já existe"), "{message}");
        }
    }
}
