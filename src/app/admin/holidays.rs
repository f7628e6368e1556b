//! Holidays: listing, adding and removing them.

use crate::{
    app::{Admin, App, AppError},
    domain::{
        field_errors::FieldErrors,
        holidays::{Holiday, HolidayName, HolidayNote, HolidayScope, fold_name, holiday_date},
    },
    store::HolidayRecord,
};

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
        _: &Admin,
        year: Option<i32>,
    ) -> Result<Vec<HolidayRecord>, AppError> {
        Ok(self.store.holiday_records(year).await?)
    }

    pub async fn admin_create_holiday(
        &self,
        admin: &Admin,
        input: HolidayInput,
        type_errors: FieldErrors,
    ) -> Result<HolidayRecord, AppError> {
        let served = self.served_municipalities().await?;
        let mut found = FieldErrors::new();
        let text = |value: &Option<String>| value.as_deref().unwrap_or_default().to_string();
        let date = found.check("date", holiday_date(&text(&input.date)));
        let name = found.check("name", HolidayName::parse(&text(&input.name)));
        let scope = HolidayScope::for_court(&text(&input.scope), |municipality| {
            served.contains(&fold_name(municipality))
        });
        let scope = found.check("scope", scope);
        let note = found
            .check("note", HolidayNote::parse(&text(&input.note)))
            .flatten();
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
            name: name.into_string(),
            scope,
            note: note.map(HolidayNote::into_string),
        };
        let created = self
            .store
            .create_holiday(&holiday, admin.id(), self.now())
            .await?;
        self.reference.invalidate();
        tracing::info!(staff = admin.id(), holiday = created.id, "holiday created");
        Ok(created)
    }

    pub async fn admin_delete_holiday(&self, admin: &Admin, id: i32) -> Result<(), AppError> {
        self.store
            .delete_holiday(id, admin.id(), self.now())
            .await?;
        self.reference.invalidate();
        tracing::info!(staff = admin.id(), holiday = id, "holiday deleted");
        Ok(())
    }

    /// The municipalities of every zone, closed ones too, folded for comparison: a municipal
    /// holiday must name one of them.
    async fn served_municipalities(&self) -> Result<Vec<String>, AppError> {
        Ok(self
            .store
            .zones()
            .await?
            .iter()
            .flat_map(|zone| zone.municipalities.iter().map(|name| fold_name(name)))
            .collect())
    }
}
