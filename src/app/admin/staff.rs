//! Staff accounts: listing, creating and changing them.

use crate::app::{App, AppError, StaffUser};
use crate::{
    domain::{
        email::Email,
        field_errors::FieldErrors,
        staff::{Role, check_password},
        text::PersonName,
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
}

/// Changes to an account as typed; `None` leaves a part as it is.
#[derive(Debug, Default)]
pub struct StaffPatchInput {
    pub name: Option<String>,
    pub role: Option<String>,
    pub zones: Option<Vec<i64>>,
    pub active: Option<bool>,
    pub password: Option<String>,
}

impl App {
    pub async fn admin_create_staff(
        &self,
        user: &StaffUser,
        input: NewStaffInput,
        type_errors: FieldErrors,
    ) -> Result<StaffRecord, AppError> {
        App::require_admin(user)?;
        let mut found = FieldErrors::new();
        let name = PersonName::parse(input.name.as_deref().unwrap_or_default())
            .map_err(|error| found.add("name", error.to_string()))
            .ok();
        let email = Email::parse(input.email.as_deref().unwrap_or_default())
            .map_err(|error| found.add("email", error.to_string()))
            .ok();
        let password = match input.password {
            Some(password) => check_password(&password)
                .map_err(|error| found.add("password", error.to_string()))
                .ok()
                .map(|()| password),
            None => {
                found.add("password", "Informe a senha.");
                None
            }
        };
        let role = parse_role(input.role.as_deref(), &mut found);
        let zones = zone_numbers(input.zones.unwrap_or_default(), &mut found);
        if role == Some(Role::Clerk) && zones.is_empty() && found.get("zones").is_none() {
            found.add("zones", clerk_needs_a_zone());
        }
        let mut errors = type_errors;
        errors.merge_new_fields(found);
        let (Some(name), Some(email), Some(password), Some(role)) = (name, email, password, role)
        else {
            return Err(AppError::Invalid(errors));
        };
        if !errors.is_empty() {
            return Err(AppError::Invalid(errors));
        }
        let new = NewStaff {
            email,
            name,
            role,
            password_hash: hash(password).await?,
            zones,
        };
        let created = self
            .store
            .create_staff_by(&new, Some(user.id), self.now())
            .await?;
        tracing::info!(staff = user.id, account = created.id, "account created");
        Ok(created)
    }

    pub async fn admin_staff(&self, user: &StaffUser) -> Result<Vec<StaffRecord>, AppError> {
        App::require_admin(user)?;
        Ok(self.store.staff().await?)
    }

    /// An admin may not disable or demote their own account: the court must never be left
    /// without anyone who can administer it by a slip of one person.
    pub async fn admin_update_staff(
        &self,
        user: &StaffUser,
        id: i32,
        input: StaffPatchInput,
        type_errors: FieldErrors,
    ) -> Result<StaffRecord, AppError> {
        App::require_admin(user)?;
        let mut found = FieldErrors::new();
        let name = input.name.and_then(|name| {
            PersonName::parse(&name)
                .map_err(|error| found.add("name", error.to_string()))
                .ok()
        });
        let role = match input.role {
            Some(role) => parse_role(Some(&role), &mut found),
            None => None,
        };
        let zones = input.zones.map(|zones| zone_numbers(zones, &mut found));
        let password = input.password.and_then(|password| {
            check_password(&password)
                .map_err(|error| found.add("password", error.to_string()))
                .ok()
                .map(|()| password)
        });
        if id == user.id {
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
        let password_hash = match password {
            Some(password) => Some(hash(password).await?),
            None => None,
        };
        let changes = StaffChanges {
            name,
            role,
            zones,
            active: input.active,
            password_hash,
        };
        let updated = self
            .store
            .update_staff(id, &changes, user.id, self.now())
            .await?;
        tracing::info!(staff = user.id, account = id, "account changed");
        Ok(updated)
    }
}

/// Argon2 is slow on purpose: off the async executor.
async fn hash(password: String) -> Result<String, AppError> {
    let hash = tokio::task::spawn_blocking(move || passwords::hash_password(&password))
        .await
        .map_err(anyhow::Error::from)?
        .map_err(anyhow::Error::from)?;
    Ok(hash)
}

fn clerk_needs_a_zone() -> &'static str {
    "Um(a) servidor(a) do cartório precisa de pelo menos uma zona."
}

fn parse_role(role: Option<&str>, found: &mut FieldErrors) -> Option<Role> {
    match role {
        None => {
            found.add("role", "Informe o papel: clerk ou admin.");
            None
        }
        Some(text) => Role::parse(text).or_else(|| {
            found.add(
                "role",
                format!("Papel desconhecido: {text}. Use clerk ou admin."),
            );
            None
        }),
    }
}

fn zone_numbers(numbers: Vec<i64>, found: &mut FieldErrors) -> Vec<i32> {
    let mut zones = Vec::with_capacity(numbers.len());
    for number in numbers {
        match i32::try_from(number) {
            Ok(number) if number > 0 => zones.push(number),
            _ => found.add("zones", format!("A zona {number} não existe.")),
        }
    }
    zones
}
