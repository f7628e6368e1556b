//! Holidays: listing, adding and removing them.

use chrono::NaiveDate;

use super::required_text;
use crate::{
    app::{App, AppError, StaffUser},
    domain::{
        field_errors::FieldErrors,
        holidays::{Holiday, HolidayScope, fold_name},
    },
    store::HolidayRecord,
};

const HOLIDAY_NAME_MAX_CHARS: usize = 200;
const HOLIDAY_NOTE_MAX_CHARS: usize = 1000;
/// The court serves one state: a holiday of another state closes nothing here.
const COURT_STATE: &str = "PA";

#[derive(Debug, Default)]
pub struct HolidayInput {
    /// `YYYY-MM-DD`.
    pub date: Option<String>,
    pub name: Option<String>,
    /// `nacional`, `forense`, `estadual-PA` or `municipal-<Município>`.
    pub scope: Option<String>,
    pub note: Option<String>,
}

impl App {
    pub async fn admin_holidays(
        &self,
        user: &StaffUser,
        year: Option<i32>,
    ) -> Result<Vec<HolidayRecord>, AppError> {
        App::require_admin(user)?;
        Ok(self.store.holiday_records(year).await?)
    }

    pub async fn admin_create_holiday(
        &self,
        user: &StaffUser,
        input: HolidayInput,
        type_errors: FieldErrors,
    ) -> Result<HolidayRecord, AppError> {
        App::require_admin(user)?;
        let mut found = FieldErrors::new();
        let date = match input.date.as_deref().map(str::trim) {
            None | Some("") => {
                found.add("date", "Informe a data do feriado (AAAA-MM-DD).");
                None
            }
            Some(text) => NaiveDate::parse_from_str(text, "%Y-%m-%d")
                .map_err(|_| found.add("date", "Data inválida: use o formato AAAA-MM-DD."))
                .ok(),
        };
        let name = required_text(
            input.name,
            HOLIDAY_NAME_MAX_CHARS,
            "name",
            "Informe o nome do feriado.",
            &mut found,
        );
        let scope = self
            .holiday_scope(input.scope.as_deref(), &mut found)
            .await?;
        let note = input
            .note
            .map(|note| note.trim().to_string())
            .filter(|note| !note.is_empty());
        if note
            .as_ref()
            .is_some_and(|note| note.chars().count() > HOLIDAY_NOTE_MAX_CHARS)
        {
            found.add(
                "note",
                format!("A observação deve ter no máximo {HOLIDAY_NOTE_MAX_CHARS} caracteres."),
            );
        }
        let mut errors = type_errors;
        errors.merge_new_fields(found);
        let (Some(date), Some(name), Some(scope)) = (date, name, scope) else {
            return Err(AppError::Invalid(errors));
        };
        if !errors.is_empty() {
            return Err(AppError::Invalid(errors));
        }
        let holiday = Holiday {
            date,
            name,
            scope,
            note,
        };
        let created = self
            .store
            .create_holiday(&holiday, user.id, self.now())
            .await?;
        self.reference.invalidate();
        tracing::info!(staff = user.id, holiday = created.id, "holiday created");
        Ok(created)
    }

    pub async fn admin_delete_holiday(&self, user: &StaffUser, id: i32) -> Result<(), AppError> {
        App::require_admin(user)?;
        self.store.delete_holiday(id, user.id, self.now()).await?;
        self.reference.invalidate();
        tracing::info!(staff = user.id, holiday = id, "holiday deleted");
        Ok(())
    }

    /// Outbox jobs, newest first; `limit` is kept between 1 and [`MAX_JOB_LIMIT`].
    async fn holiday_scope(
        &self,
        scope: Option<&str>,
        found: &mut FieldErrors,
    ) -> Result<Option<HolidayScope>, AppError> {
        let scope = match scope.map(str::trim) {
            None | Some("") => {
                found.add(
                    "scope",
                    "Informe a abrangência: nacional, forense, estadual-PA ou municipal-<Município>.",
                );
                return Ok(None);
            }
            Some(text) => match HolidayScope::parse(text) {
                Ok(scope) => scope,
                Err(_) => {
                    found.add(
                        "scope",
                        format!("Abrangência desconhecida: {text}. Use nacional, forense, estadual-PA ou municipal-<Município>."),
                    );
                    return Ok(None);
                }
            },
        };
        match &scope {
            HolidayScope::State { uf } if uf != COURT_STATE => {
                found.add("scope", "O tribunal atende apenas o Pará: use estadual-PA.");
                return Ok(None);
            }
            HolidayScope::Municipal { municipality } => {
                // A misspelt municipality would close no zone, silently.
                let wanted = fold_name(municipality);
                let served = self.store.zones().await?.iter().any(|zone| {
                    zone.municipalities
                        .iter()
                        .any(|name| fold_name(name) == wanted)
                });
                if !served {
                    found.add(
                        "scope",
                        format!("Nenhuma zona atende o município {municipality}: confira o nome."),
                    );
                    return Ok(None);
                }
            }
            _ => {}
        }
        if scope.code().chars().count() > 140 {
            found.add("scope", "A abrangência é longa demais.");
            return Ok(None);
        }
        Ok(Some(scope))
    }
}
