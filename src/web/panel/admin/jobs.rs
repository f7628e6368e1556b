//! The outbox's jobs (e-mails and calendar changes), failed ones first, with a button to
//! send a failed one back to the queue.

use crate::domain::dates::moment;
use crate::web::query::PagePath;
use axum::{
    Router,
    extract::State,
    http::StatusCode,
    response::{IntoResponse, Redirect, Response},
    routing::{get, post},
};
use minijinja::context;
use serde::{Deserialize, Serialize};

use super::{AdminForm, AdminPage, failure, flash, number};
use crate::web::panel::job_label;
use crate::{
    app::{App, AppError, DEFAULT_JOB_LIMIT},
    store::{JobState, StoreError},
    web::{
        pages::{pages, ser},
        panel::base,
        query::PageQuery,
        render_error,
    },
};

pub fn router() -> Router<App> {
    Router::new()
        .route("/painel/admin/tarefas", get(list))
        .route("/painel/admin/tarefas/{id}/repetir", post(retry))
}

#[derive(Debug, Deserialize)]
struct JobsQuery {
    estado: Option<String>,
    feito: Option<String>,
}

/// The tabs: a state, or every job.
const TABS: [(&str, &str); 5] = [
    ("dead", "Com falha"),
    ("pending", "Na fila"),
    ("running", "Em andamento"),
    ("done", "Concluídas"),
    ("todas", "Todas"),
];

const DONE: &[(&str, &str)] = &[(
    "repetida",
    "Tarefa devolvida à fila: será tentada de novo em instantes.",
)];

#[derive(Serialize)]
struct Tab {
    key: &'static str,
    label: &'static str,
    current: bool,
}

#[derive(Serialize)]
struct RequestLink {
    id: i64,
    protocol: Option<String>,
}

#[derive(Serialize)]
struct JobRow {
    id: i64,
    what: String,
    request: Option<RequestLink>,
    state: &'static str,
    dead: bool,
    attempts: i32,
    last_error: Option<String>,
    created_at: String,
    updated_at: String,
    next_try: Option<String>,
}

async fn list(
    State(app): State<App>,
    page: AdminPage,
    PageQuery(query): PageQuery<JobsQuery>,
) -> Response {
    let tab = tab(query.estado.as_deref());
    let done = flash(query.feito.as_deref(), DONE);
    render(&app, &page, tab, StatusCode::OK, done, None).await
}

async fn render(
    app: &App,
    page: &AdminPage,
    tab: &'static str,
    status: StatusCode,
    done: Option<&str>,
    problem: Option<String>,
) -> Response {
    let state = (tab != "todas").then_some(tab);
    let jobs = match app
        .admin_jobs(&page.admin, state, Some(DEFAULT_JOB_LIMIT))
        .await
    {
        Ok(jobs) => jobs,
        Err(error) => return render_error(error),
    };
    // A job without a request is the service's own.
    let protocols = match app
        .admin_request_protocols(&page.admin, jobs.iter().filter_map(|job| job.request_id))
        .await
    {
        Ok(protocols) => protocols,
        Err(error) => return render_error(error),
    };
    let rows: Vec<JobRow> = jobs
        .into_iter()
        .map(|job| JobRow {
            id: job.id,
            what: job_label(&job.kind),
            request: job.request_id.map(|id| RequestLink {
                id,
                protocol: protocols.get(&id).cloned(),
            }),
            state: job.state.label(),
            dead: job.state == JobState::Dead,
            attempts: job.attempts,
            last_error: job.last_error,
            created_at: moment(job.created_at),
            updated_at: moment(job.updated_at),
            next_try: (job.state == JobState::Pending).then(|| moment(job.run_at)),
        })
        .collect();
    let tabs: Vec<Tab> = TABS
        .iter()
        .map(|(key, label)| Tab {
            key,
            label,
            current: *key == tab,
        })
        .collect();
    pages().render(
        status,
        "painel/admin/tarefas.html",
        context! {
            tab,
            tab_label => TABS.iter().find(|(key, _)| *key == tab).map(|(_, label)| *label),
            tabs => ser(tabs),
            rows => ser(rows),
            limit => DEFAULT_JOB_LIMIT,
            done,
            problem,
            ..base(&page.session, "admin")
        },
    )
}

async fn retry(
    State(app): State<App>,
    PagePath(id): PagePath<String>,
    AdminForm { page, fields }: AdminForm,
) -> Response {
    let tab = tab(fields.optional("estado").as_deref());
    let back = format!("/painel/admin/tarefas?estado={tab}");
    let Some(id) = number::<i64>(Some(&id)) else {
        return failure(&page, AppError::NotFound, "Tarefa não encontrada", &back);
    };
    match app.admin_retry_job(&page.admin, id).await {
        Ok(_) => Redirect::to(&format!("{back}&feito=repetida")).into_response(),
        Err(AppError::Store(StoreError::JobNotDead { state })) => {
            let state = JobState::parse(state).map_or(state, JobState::label);
            let problem = format!(
                "A tarefa nº {id} não está com falha (situação: {state}); não há o que repetir."
            );
            render(&app, &page, tab, StatusCode::CONFLICT, None, Some(problem)).await
        }
        Err(error) => failure(&page, error, "Tarefa não encontrada", &back),
    }
}

/// The tab asked for; failed jobs unless another known one.
fn tab(asked: Option<&str>) -> &'static str {
    let asked = asked.map(str::trim).unwrap_or_default();
    TABS.iter()
        .map(|(key, _)| *key)
        .find(|key| *key == asked)
        .unwrap_or("dead")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_tabs_show_the_failed_jobs() {
        assert_eq!(tab(Some("done")), "done");
        assert_eq!(tab(Some("todas")), "todas");
        assert_eq!(tab(Some("tudo")), "dead");
        assert_eq!(tab(None), "dead");
        for state in JobState::ALL {
            assert!(
                TABS.iter().any(|(key, _)| *key == state.as_str()),
                "{state:?} has a tab"
            );
        }
    }
}
