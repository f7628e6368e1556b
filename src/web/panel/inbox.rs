//! The inbox: the requests of the clerk's zones by state, searchable, oldest first.

use axum::{Router, extract::State, http::StatusCode, response::Response, routing::get};
use minijinja::context;
use serde::{Deserialize, Serialize};

use super::base;
use crate::{
    app::App,
    domain::status::Status,
    store::InboxFilter,
    web::{
        pages::{pages, ser},
        public::moment,
        query::PageQuery,
        render_error,
        session::PanelUser,
    },
};

const PER_PAGE: u64 = 50;

pub fn router() -> Router<App> {
    Router::new().route("/painel", get(inbox))
}

#[derive(Debug, Default, Deserialize)]
struct InboxQuery {
    situacao: Option<String>,
    zona: Option<String>,
    q: Option<String>,
    pagina: Option<u64>,
    feito: Option<String>,
}

#[derive(Serialize)]
struct Tab {
    key: &'static str,
    label: &'static str,
    count: u64,
    current: bool,
}

#[derive(Serialize)]
struct Row {
    id: i64,
    protocol: String,
    zone: i32,
    name: String,
    status: &'static str,
    created_at: String,
    scheduled: Option<String>,
    assignee: Option<String>,
    late: bool,
}

/// The tabs, in the order work flows.
const TABS: [(&str, &str); 7] = [
    ("submitted", "Novos"),
    ("triaged", "Em análise"),
    ("scheduled", "Agendados"),
    ("done", "Concluídos"),
    ("rejected", "Indeferidos"),
    ("cancelled", "Cancelados"),
    ("todos", "Todos"),
];

async fn inbox(
    State(app): State<App>,
    panel: PanelUser,
    PageQuery(query): PageQuery<InboxQuery>,
) -> Response {
    let tab = query
        .situacao
        .as_deref()
        .filter(|t| TABS.iter().any(|(key, _)| key == t))
        .unwrap_or("submitted");
    let zone = query
        .zona
        .as_deref()
        .and_then(|z| z.trim().parse::<i32>().ok());
    let search = query.q.clone().filter(|q| !q.trim().is_empty());
    let page = crate::store::inbox_page(query.pagina);
    let done = (query.feito.as_deref() == Some("transferido"))
        .then_some("Solicitação transferida. Ela agora está na caixa da zona de destino.");
    let filter = InboxFilter {
        statuses: Status::parse(tab).into_iter().collect(),
        zone,
        search: search.clone(),
        page,
        per_page: PER_PAGE,
    };
    let (counts, inbox) = match (
        app.inbox_counts(&panel.user, zone).await,
        app.inbox(&panel.user, &filter).await,
    ) {
        (Ok(counts), Ok(inbox)) => (counts, inbox),
        (Err(error), _) | (_, Err(error)) => return render_error(error),
    };
    let total: u64 = counts.iter().map(|(_, n)| n).sum();
    let tabs: Vec<Tab> = TABS
        .iter()
        .map(|(key, label)| Tab {
            key,
            label,
            count: match Status::parse(key) {
                Some(status) => counts
                    .iter()
                    .find(|(s, _)| *s == status)
                    .map_or(0, |(_, n)| *n),
                None => total,
            },
            current: *key == tab,
        })
        .collect();
    let now = app.now();
    let mut rows = Vec::with_capacity(inbox.items.len());
    for item in inbox.items {
        let late = item.status == Status::Submitted
            && app
                .waiting_too_long(item.zone, item.created_at, now)
                .await
                .unwrap_or(false);
        rows.push(Row {
            id: item.id,
            protocol: item.protocol,
            zone: item.zone,
            name: item.name,
            status: item.status.label(),
            created_at: moment(item.created_at),
            scheduled: item.scheduled_start.map(moment),
            assignee: item.assignee.map(|(_, name)| name),
            late,
        });
    }
    let pages_total = inbox.total.div_ceil(PER_PAGE).max(1);
    let query_base = format!(
        "situacao={tab}{}{}",
        zone.map(|z| format!("&zona={z}")).unwrap_or_default(),
        search
            .as_deref()
            .map(|q| format!(
                "&q={}",
                url::form_urlencoded::byte_serialize(q.as_bytes()).collect::<String>()
            ))
            .unwrap_or_default(),
    );
    pages().render(
        StatusCode::OK,
        "painel/inbox.html",
        context! {
            tabs => ser(tabs),
            rows => ser(rows),
            tab,
            zone,
            zones => ser(&panel.user.zones),
            all_zones => panel.user.role == crate::domain::staff::Role::Admin,
            search,
            page,
            pages_total,
            total => inbox.total,
            query_base,
            done,
            ..base(&panel, "inbox")
        },
    )
}
