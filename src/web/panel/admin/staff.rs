//! Staff accounts: the list with a form for a new one, and each account's page.

use crate::web::query::PagePath;
use axum::{
    Router,
    extract::State,
    http::StatusCode,
    response::{IntoResponse, Redirect, Response},
    routing::get,
};
use minijinja::context;
use serde::{Deserialize, Serialize};

use super::{AdminForm, AdminPage, failure, flash};
use crate::{
    app::{App, AppError, NewStaffInput, StaffPatchInput},
    domain::{field_errors::FieldErrors, staff::Role},
    store::StaffRecord,
    web::{
        forms::FormFields,
        pages::{pages, ser},
        panel::base,
        query::PageQuery,
        render_error,
    },
};

pub fn router() -> Router<App> {
    Router::new()
        .route("/painel/admin/equipe", get(list).post(create))
        .route("/painel/admin/equipe/{id}", get(edit).post(update))
}

#[derive(Debug, Deserialize)]
struct Done {
    feito: Option<String>,
}

const FIELD_LABELS: &[(&str, &str)] = &[
    ("name", "Nome"),
    ("email", "E-mail"),
    ("password", "Senha"),
    ("role", "Papel"),
    ("zones", "Zonas"),
    ("active", "Conta ativa"),
];

const DONE: &[(&str, &str)] = &[
    (
        "criada",
        "Conta criada. A pessoa já pode entrar com o e-mail e a senha informados.",
    ),
    ("salva", "Alterações salvas."),
];

const ROLES: [(&str, &str); 2] = [
    (
        "clerk",
        "Servidor(a) do cartório: vê e atende os pedidos das suas zonas",
    ),
    (
        "admin",
        "Administrador(a): vê todas as zonas e administra o sistema",
    ),
];

#[derive(Serialize)]
struct StaffRow {
    id: i32,
    name: String,
    email: String,
    role: &'static str,
    zones: String,
    active: bool,
    interpreter: bool,
    is_self: bool,
}

/// An account's form as typed (or as stored); never the password.
#[derive(Debug, Serialize)]
struct StaffValues {
    name: String,
    email: String,
    role: String,
    zones: String,
    active: bool,
    interpreter: bool,
}

impl Default for StaffValues {
    fn default() -> Self {
        StaffValues {
            name: String::new(),
            email: String::new(),
            role: Role::Clerk.as_str().into(),
            zones: String::new(),
            active: true,
            interpreter: false,
        }
    }
}

impl From<&StaffRecord> for StaffValues {
    fn from(account: &StaffRecord) -> Self {
        StaffValues {
            name: account.name.clone(),
            email: account.email.clone(),
            role: account.role.as_str().into(),
            zones: zones_text(&account.zones),
            active: account.active,
            interpreter: account.interpreter,
        }
    }
}

impl StaffValues {
    fn typed(fields: &FormFields) -> Self {
        StaffValues {
            name: fields.text("name"),
            email: fields.text("email"),
            role: fields.text("role"),
            zones: fields.text("zones"),
            active: fields.checked("active"),
            interpreter: fields.checked("interpreter"),
        }
    }
}

async fn list(
    State(app): State<App>,
    page: AdminPage,
    PageQuery(done): PageQuery<Done>,
) -> Response {
    let done = flash(done.feito.as_deref(), DONE);
    render_list(
        &app,
        &page,
        StatusCode::OK,
        StaffValues::default(),
        FieldErrors::new(),
        done,
    )
    .await
}

async fn render_list(
    app: &App,
    page: &AdminPage,
    status: StatusCode,
    values: StaffValues,
    errors: FieldErrors,
    done: Option<&str>,
) -> Response {
    let accounts = match app.admin_staff(&page.admin).await {
        Ok(accounts) => accounts,
        Err(error) => return render_error(error),
    };
    let rows: Vec<StaffRow> = accounts
        .into_iter()
        .map(|account| StaffRow {
            id: account.id,
            is_self: account.id == page.admin.id(),
            interpreter: account.interpreter,
            role: role_label(account.role),
            zones: match (account.role, account.zones.is_empty()) {
                (Role::Admin, true) => "todas".into(),
                (_, true) => "—".into(),
                (_, false) => account
                    .zones
                    .iter()
                    .map(|zone| format!("{zone}ª"))
                    .collect::<Vec<_>>()
                    .join(", "),
            },
            name: account.name,
            email: account.email,
            active: account.active,
        })
        .collect();
    pages().render(
        status,
        "painel/admin/equipe.html",
        context! {
            rows => ser(rows),
            values => ser(values),
            roles => ser(ROLES),
            errors => ser(&errors),
            labels => labels(),
            done,
            ..base(&page.session, "admin")
        },
    )
}

async fn create(State(app): State<App>, AdminForm { page, fields }: AdminForm) -> Response {
    let mut errors = FieldErrors::new();
    let input = NewStaffInput {
        name: Some(fields.text("name")),
        email: Some(fields.text("email")),
        password: fields.optional("password"),
        role: fields.optional("role"),
        zones: Some(zone_numbers(&fields.text("zones"), &mut errors)),
        interpreter: Some(fields.checked("interpreter")),
    };
    match app.admin_create_staff(&page.admin, input, errors).await {
        Ok(_) => Redirect::to("/painel/admin/equipe?feito=criada").into_response(),
        Err(AppError::Invalid(errors)) => {
            let values = StaffValues::typed(&fields);
            render_list(
                &app,
                &page,
                StatusCode::UNPROCESSABLE_ENTITY,
                values,
                errors,
                None,
            )
            .await
        }
        Err(error) => render_error(error),
    }
}

async fn edit(
    State(app): State<App>,
    page: AdminPage,
    PagePath(id): PagePath<String>,
    PageQuery(done): PageQuery<Done>,
) -> Response {
    let account = match find_account(&app, &page, &id).await {
        Ok(account) => account,
        Err(error) => {
            return failure(&page, error, "Conta não encontrada", "/painel/admin/equipe");
        }
    };
    let values = StaffValues::from(&account);
    let done = flash(done.feito.as_deref(), DONE);
    render_account(
        &page,
        &account,
        StatusCode::OK,
        values,
        FieldErrors::new(),
        done,
    )
}

async fn update(
    State(app): State<App>,
    PagePath(id): PagePath<String>,
    AdminForm { page, fields }: AdminForm,
) -> Response {
    let account = match find_account(&app, &page, &id).await {
        Ok(account) => account,
        Err(error) => {
            return failure(&page, error, "Conta não encontrada", "/painel/admin/equipe");
        }
    };
    let mut errors = FieldErrors::new();
    let input = StaffPatchInput {
        name: Some(fields.text("name")),
        role: fields.optional("role"),
        zones: Some(zone_numbers(&fields.text("zones"), &mut errors)),
        active: Some(fields.checked("active")),
        interpreter: Some(fields.checked("interpreter")),
        password: fields.optional("password"),
    };
    match app
        .admin_update_staff(&page.admin, account.id, input, errors)
        .await
    {
        Ok(account) => Redirect::to(&format!("/painel/admin/equipe/{}?feito=salva", account.id))
            .into_response(),
        Err(AppError::Invalid(errors)) => {
            let values = StaffValues {
                email: account.email.clone(),
                ..StaffValues::typed(&fields)
            };
            render_account(
                &page,
                &account,
                StatusCode::UNPROCESSABLE_ENTITY,
                values,
                errors,
                None,
            )
        }
        Err(error) => failure(&page, error, "Conta não encontrada", "/painel/admin/equipe"),
    }
}

async fn find_account(app: &App, page: &AdminPage, id: &str) -> Result<StaffRecord, AppError> {
    let id: i32 = id.trim().parse().map_err(|_| AppError::NotFound)?;
    app.admin_staff_member(&page.admin, id).await
}

fn render_account(
    page: &AdminPage,
    account: &StaffRecord,
    status: StatusCode,
    values: StaffValues,
    errors: FieldErrors,
    done: Option<&str>,
) -> Response {
    pages().render(
        status,
        "painel/admin/pessoa.html",
        context! {
            id => account.id,
            title => &account.name,
            is_self => account.id == page.admin.id(),
            values => ser(values),
            roles => ser(ROLES),
            errors => ser(&errors),
            labels => labels(),
            done,
            ..base(&page.session, "admin")
        },
    )
}

/// Zone numbers as typed: "1, 28", "1ª 28ª" or one per line. A token that is not a number
/// is reported; numbers of zones that do not exist are the use case's to judge.
fn zone_numbers(text: &str, errors: &mut FieldErrors) -> Vec<i64> {
    let mut numbers = Vec::new();
    let mut bad = Vec::new();
    for token in text.split(|c: char| c == ',' || c == ';' || c.is_whitespace()) {
        let token = token.trim().trim_end_matches(['ª', 'º']);
        if token.is_empty() {
            continue;
        }
        match token.parse::<i64>() {
            Ok(number) if !numbers.contains(&number) => numbers.push(number),
            Ok(_) => {}
            Err(_) => bad.push(token.to_string()),
        }
    }
    if !bad.is_empty() {
        errors.add(
            "zones",
            format!("Não é número de zona: {}. Use os números separados por vírgula, por exemplo 1, 28.", bad.join(", ")),
        );
    }
    numbers
}

fn zones_text(zones: &[i32]) -> String {
    zones
        .iter()
        .map(i32::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}

fn role_label(role: Role) -> &'static str {
    match role {
        Role::Clerk => "servidor(a) do cartório",
        Role::Admin => "administrador(a)",
    }
}

fn labels() -> minijinja::Value {
    ser(FIELD_LABELS)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zones_are_read_as_people_type_them() {
        let mut errors = FieldErrors::new();
        assert_eq!(zone_numbers("1, 28;\n 28ª  3", &mut errors), [1, 28, 3]);
        assert!(errors.is_empty());
        assert_eq!(zone_numbers("", &mut errors), Vec::<i64>::new());
        assert!(errors.is_empty());
        assert_eq!(zone_numbers("1, Belém", &mut errors), [1]);
        assert_eq!(errors.fields().collect::<Vec<_>>(), ["zones"]);
        assert_eq!(zones_text(&[1, 28]), "1, 28");
    }
}
