//! Staff accounts: listing, creating and changing them.

use crate::{
    app::{Admin, App, AppError},
    domain::{
        email::Email,
        field_errors::FieldErrors,
        staff::{Assignment, Password, Role, account_zones},
        text::PersonName,
        zone::ZoneNumber,
    },
    passwords,
    store::{NewStaff, StaffChanges, StaffRecord},
};

/// A new account as typed; `None` is a field left out.
#[derive(Debug, Default)]
pub struct NewStaffInput {
    pub name: Option<String>,
    pub email: Option<String>,
    pub password: Option<String>,
    pub role: Option<String>,
    pub zones: Option<Vec<i64>>,
    /// A Libras interpreter; not one when left out.
    pub interpreter: Option<bool>,
}

/// Changes to an account as typed; `None` leaves a part as it is.
#[derive(Debug, Default)]
pub struct StaffPatchInput {
    pub name: Option<String>,
    pub role: Option<String>,
    pub zones: Option<Vec<i64>>,
    pub active: Option<bool>,
    pub interpreter: Option<bool>,
    pub password: Option<String>,
}

impl App {
    pub async fn admin_create_staff(
        &self,
        admin: &Admin,
        input: NewStaffInput,
        type_errors: FieldErrors,
    ) -> Result<StaffRecord, AppError> {
        let mut found = FieldErrors::new();
        let text = |value: &Option<String>| value.as_deref().unwrap_or_default().to_string();
        let name = found.check("name", PersonName::parse(&text(&input.name)));
        let email = found.check("email", Email::parse(&text(&input.email)));
        let password = found.check("password", Password::parse(text(&input.password)));
        let role = found.check("role", Role::parse(&text(&input.role)));
        let zones = zones_of(&input.zones.unwrap_or_default(), &mut found);
        let assignment = match (role, zones) {
            (Some(role), Some(zones)) => found.check("zones", Assignment::new(role, zones)),
            _ => None,
        };
        let mut errors = type_errors;
        errors.merge_new_fields(found);
        let (Some(name), Some(email), Some(password), Some(assignment)) =
            (name, email, password, assignment)
        else {
            return Err(AppError::Invalid(errors));
        };
        if !errors.is_empty() {
            return Err(AppError::Invalid(errors));
        }
        let new = NewStaff {
            email,
            name,
            assignment,
            password_hash: hash(password).await?,
            interpreter: input.interpreter.unwrap_or(false),
        };
        let created = self
            .store
            .create_staff_by(&new, Some(admin.id()), self.now())
            .await?;
        tracing::info!(staff = admin.id(), account = created.id, "account created");
        Ok(created)
    }

    pub async fn admin_staff(&self, _: &Admin) -> Result<Vec<StaffRecord>, AppError> {
        Ok(self.store.staff().await?)
    }

    pub async fn admin_staff_member(&self, _: &Admin, id: i32) -> Result<StaffRecord, AppError> {
        self.store.staff_member(id).await?.ok_or(AppError::NotFound)
    }

    /// An admin may not disable or demote their own account: the court must never be left
    /// without anyone who can administer it by a slip of one person.
    pub async fn admin_update_staff(
        &self,
        admin: &Admin,
        id: i32,
        input: StaffPatchInput,
        type_errors: FieldErrors,
    ) -> Result<StaffRecord, AppError> {
        let mut found = FieldErrors::new();
        let name = input
            .name
            .and_then(|name| found.check("name", PersonName::parse(&name)));
        let role = input
            .role
            .and_then(|role| found.check("role", Role::parse(&role)));
        let zones = input.zones.and_then(|zones| zones_of(&zones, &mut found));
        let password = input
            .password
            .and_then(|password| found.check("password", Password::parse(password)));
        if id == admin.id() {
            if input.active == Some(false) {
                found.add(
                    "active",
                    "Você não pode desativar a própria conta; peça a outra pessoa administradora.",
                );
            }
            if role == Some(Role::Clerk) {
                found.add(
                    "role",
                    "Você não pode deixar de ser administrador(a) por conta própria; peça a outra pessoa administradora.",
                );
            }
        }
        let mut errors = type_errors;
        errors.merge_new_fields(found);
        if !errors.is_empty() {
            return Err(AppError::Invalid(errors));
        }
        let assignment = match (role, zones) {
            (None, None) => None,
            (role, zones) => Some(self.assignment_after(id, role, zones).await?),
        };
        let password_hash = match password {
            Some(password) => Some(hash(password).await?),
            None => None,
        };
        let changes = StaffChanges {
            name,
            assignment,
            active: input.active,
            interpreter: input.interpreter,
            password_hash,
        };
        let updated = self
            .store
            .update_staff(id, &changes, admin.id(), self.now())
            .await?;
        tracing::info!(staff = admin.id(), account = id, "account changed");
        Ok(updated)
    }
}

impl App {
    /// The role and zones of account `id` once the change gives a new role, new zones or
    /// both; what it leaves out stays as stored.
    async fn assignment_after(
        &self,
        id: i32,
        role: Option<Role>,
        zones: Option<Vec<ZoneNumber>>,
    ) -> Result<Assignment, AppError> {
        let current = self
            .store
            .staff_member(id)
            .await?
            .ok_or(AppError::NotFound)?;
        let zones = zones.unwrap_or_else(|| {
            let stored = current.zones.iter().map(|&zone| i64::from(zone));
            // Stored numbers are zones' numbers: none is dropped.
            stored
                .filter_map(|zone| ZoneNumber::parse(zone).ok())
                .collect()
        });
        Assignment::new(role.unwrap_or(current.role), zones).map_err(|error| {
            let mut errors = FieldErrors::new();
            errors.add("zones", error.to_string());
            AppError::Invalid(errors)
        })
    }
}

/// Argon2 is slow on purpose: off the async executor.
async fn hash(password: Password) -> Result<String, AppError> {
    let hash = tokio::task::spawn_blocking(move || passwords::hash_password(password.expose()))
        .await
        .map_err(anyhow::Error::from)?
        .map_err(anyhow::Error::from)?;
    Ok(hash)
}

/// The zones given for an account, each number that names no zone reported.
fn zones_of(numbers: &[i64], found: &mut FieldErrors) -> Option<Vec<ZoneNumber>> {
    account_zones(numbers)
        .map_err(|unknown| {
            for zone in unknown {
                found.add("zones", zone.to_string());
            }
        })
        .ok()
}
