//! The inbox: the requests of the clerk's zones by state, searchable, in the order they are
//! served (aged 80+, other preferential categories, the rest; oldest first within each).

use crate::domain::dates::moment;
use axum::{Router, extract::State, http::StatusCode, response::Response, routing::get};
use minijinja::context;
use serde::{Deserialize, Serialize};

use super::base;
use crate::{
    app::App,
    domain::{messages::Mode, preferential::Preferential, status::Status},
    store::{InboxFilter, PreferenceFilter},
    web::{
        pages::{pages, ser},
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
    preferencial: Option<String>,
    pagina: Option<u64>,
    feito: Option<String>,
    /// `pendentes`: only requests whose requester waits for the court's reply.
    respostas: Option<String>,
}

#[derive(Serialize)]
struct TabLink {
    label: &'static str,
    href: String,
    count: u64,
    current: bool,
}

#[derive(Serialize)]
struct Row {
    id: i64,
    protocol: String,
    zone: i32,
    name: String,
    /// The category's badge and, for its title, its label.
    preferential: Option<(&'static str, &'static str)>,
    /// Badges of the declared accessibility needs.
    accessibility: Vec<&'static str>,
    status: &'static str,
    created_at: String,
    scheduled: Option<String>,
    assignee: Option<String>,
    late: bool,
    by_message: bool,
    /// The requester wrote since a clerk last read the thread.
    unread: bool,
    /// The court's reply to the requester's message is late.
    reply_late: bool,
}

/// One tab of the inbox: the requests in one state, or all of them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Tab {
    Only(Status),
    All,
}

impl Tab {
    /// In the order work flows.
    const ALL: [Tab; 8] = [
        Tab::Only(Status::Submitted),
        Tab::Only(Status::Triaged),
        Tab::Only(Status::Offered),
        Tab::Only(Status::Scheduled),
        Tab::Only(Status::Done),
        Tab::Only(Status::Rejected),
        Tab::Only(Status::Cancelled),
        Tab::All,
    ];

    /// The tab's name in the inbox's address.
    fn key(self) -> &'static str {
        match self {
            Tab::Only(status) => status.as_str(),
            Tab::All => "todos",
        }
    }

    fn parse(key: &str) -> Option<Tab> {
        Tab::ALL.into_iter().find(|tab| tab.key() == key)
    }

    fn label(self) -> &'static str {
        match self {
            Tab::Only(Status::Submitted) => "Novos",
            Tab::Only(Status::Triaged) => "Em análise",
            Tab::Only(Status::Offered) => "Horários oferecidos",
            Tab::Only(Status::Scheduled) => "Agendados",
            Tab::Only(Status::Done) => "Concluídos",
            Tab::Only(Status::Rejected) => "Indeferidos",
            Tab::Only(Status::Cancelled) => "Cancelados",
            Tab::All => "Todos",
        }
    }
}

async fn inbox(
    State(app): State<App>,
    panel: PanelUser,
    PageQuery(query): PageQuery<InboxQuery>,
) -> Response {
    let tab = query
        .situacao
        .as_deref()
        .and_then(Tab::parse)
        .unwrap_or(Tab::Only(Status::Submitted));
    let zone = query
        .zona
        .as_deref()
        .and_then(|z| z.trim().parse::<i32>().ok());
    let search = query.q.clone().filter(|q| !q.trim().is_empty());
    let preferential = query.preferencial.as_deref().and_then(preference_filter);
    let page = crate::store::inbox_page(query.pagina);
    let done = (query.feito.as_deref() == Some("transferido"))
        .then_some("Solicitação transferida. Ela agora está na caixa da zona de destino.");
    let filter = InboxFilter {
        statuses: match tab {
            Tab::Only(status) => vec![status],
            Tab::All => Vec::new(),
        },
        zone,
        search: search.clone(),
        preferential,
        awaiting_reply: query.respostas.as_deref() == Some(AWAITING_REPLY),
        page,
        per_page: PER_PAGE,
    };
    // However the tabs are set, the clerk sees how many people wait for a written reply.
    let awaiting = app
        .inbox(
            &panel.user,
            &InboxFilter {
                statuses: Vec::new(),
                awaiting_reply: true,
                page: 1,
                per_page: 1,
                ..filter.clone()
            },
        )
        .await
        .map(|page| page.total);
    let awaiting = match awaiting {
        Ok(total) => total,
        Err(error) => return render_error(error),
    };
    let (counts, inbox) = match (
        app.inbox_counts(&panel.user, &filter).await,
        app.inbox(&panel.user, &filter).await,
    ) {
        (Ok(counts), Ok(inbox)) => (counts, inbox),
        (Err(error), _) | (_, Err(error)) => return render_error(error),
    };
    let total: u64 = counts.iter().map(|(_, n)| n).sum();
    let tabs: Vec<TabLink> = Tab::ALL
        .into_iter()
        .map(|each| TabLink {
            label: each.label(),
            href: inbox_link(each.key(), &filter, None),
            count: match each {
                Tab::Only(status) => counts
                    .iter()
                    .find(|(s, _)| *s == status)
                    .map_or(0, |(_, n)| *n),
                Tab::All => total,
            },
            current: each == tab,
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
            preferential: item
                .preferential
                .map(|category| (category.badge(), category.label())),
            accessibility: item.accessibility.iter().map(|need| need.badge()).collect(),
            status: item.status.label(),
            created_at: moment(item.created_at),
            scheduled: item.scheduled_start.map(moment),
            assignee: item.assignee.map(|(_, name)| name),
            late,
            by_message: item.mode == Mode::Message,
            unread: item.unread_messages,
            reply_late: item.reply_due_at.is_some_and(|due| now >= due),
        });
    }
    let pages_total = inbox.total.div_ceil(PER_PAGE).max(1);
    let page_link = |page: u64| inbox_link(tab.key(), &filter, Some(page));
    let categories: Vec<_> = Preferential::ALL
        .iter()
        .map(|category| context! { value => category.code(), label => category.label() })
        .collect();
    let previous = (page > 1).then(|| page_link(page - 1));
    let next = (page < pages_total).then(|| page_link(page + 1));
    pages().render(
        StatusCode::OK,
        "painel/inbox.html",
        context! {
            tabs => ser(tabs),
            rows => ser(rows),
            tab => tab.key(),
            zone,
            zones => ser(&panel.user.zones),
            all_zones => panel.user.role == crate::domain::staff::Role::Admin,
            search,
            preferential => query.preferencial.as_deref().filter(|_| preferential.is_some()),
            categories => ser(categories),
            page,
            pages_total,
            total => inbox.total,
            awaiting,
            awaiting_only => filter.awaiting_reply,
            awaiting_link => inbox_link(
                "todos",
                &InboxFilter { awaiting_reply: true, ..filter.clone() },
                None,
            ),
            everything_link => inbox_link(
                tab.key(),
                &InboxFilter { awaiting_reply: false, ..filter.clone() },
                None,
            ),
            previous,
            next,
            done,
            ..base(&panel, "inbox")
        },
    )
}

/// What the inbox's address calls the requests waiting for a written reply in `respostas`.
const AWAITING_REPLY: &str = "pendentes";

/// What the inbox's address calls "any category" in `preferencial`; a code names one.
const ANY_CATEGORY: &str = "qualquer";

fn preference_filter(key: &str) -> Option<PreferenceFilter> {
    match key.trim() {
        ANY_CATEGORY => Some(PreferenceFilter::Any),
        code => Preferential::from_code(code).map(PreferenceFilter::Only),
    }
}

/// The inbox's address for `tab`, keeping the zone, the search and the category `filter`
/// names, on `page` if given. The search is the staff member's own text (accents, `&`, `#`,
/// `%`…), so it is encoded here rather than pasted into the template's markup.
fn inbox_link(tab: &str, filter: &InboxFilter, page: Option<u64>) -> String {
    let mut query = url::form_urlencoded::Serializer::new(String::new());
    query.append_pair("situacao", tab);
    if let Some(zone) = filter.zone {
        query.append_pair("zona", &zone.to_string());
    }
    if let Some(search) = &filter.search {
        query.append_pair("q", search);
    }
    match filter.preferential {
        None => {}
        Some(PreferenceFilter::Any) => {
            query.append_pair("preferencial", ANY_CATEGORY);
        }
        Some(PreferenceFilter::Only(category)) => {
            query.append_pair("preferencial", category.code());
        }
    }
    if filter.awaiting_reply {
        query.append_pair("respostas", AWAITING_REPLY);
    }
    if let Some(page) = page {
        query.append_pair("pagina", &page.to_string());
    }
    format!("/painel?{}", query.finish())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_carry_the_search_back_as_it_was_typed() {
        let cases = [
            ("accents", "José da Conceição"),
            ("an ampersand and what looks like another field", "a&q=b"),
            ("a hash, which would start a fragment", "#1"),
            ("a plus, which would read as a space", "a+b"),
            ("a percent and an underscore", "100%_"),
            ("quotes and markup", "\"D'Arc\" <script>"),
            ("spaces around", "  maria  "),
        ];
        for (description, search) in cases {
            let link = inbox_link("todos", &kept(Some(28), Some(search), None), Some(2));
            let query = link.strip_prefix("/painel?").expect("an inbox link");
            let read: InboxQuery = serde_urlencoded::from_str(query).expect(description);
            assert_eq!(read.situacao.as_deref(), Some("todos"), "{description}");
            assert_eq!(read.zona.as_deref(), Some("28"), "{description}");
            assert_eq!(read.q.as_deref(), Some(search), "{description}");
            assert_eq!(read.pagina, Some(2), "{description}");
        }
    }

    #[test]
    fn links_leave_out_what_is_not_chosen() {
        assert_eq!(
            inbox_link("submitted", &kept(None, None, None), None),
            "/painel?situacao=submitted"
        );
        assert_eq!(
            inbox_link("triaged", &kept(Some(1), Some("José"), None), Some(3)),
            "/painel?situacao=triaged&zona=1&q=Jos%C3%A9&pagina=3"
        );
    }

    #[test]
    fn links_keep_the_category_and_read_back_as_it() {
        let cases = [
            (PreferenceFilter::Any, "qualquer"),
            (PreferenceFilter::Only(Preferential::Idoso80), "idoso80"),
            (
                PreferenceFilter::Only(Preferential::CriancaColo),
                "crianca_colo",
            ),
        ];
        for (filter, key) in cases {
            let link = inbox_link("todos", &kept(None, None, Some(filter)), None);
            assert_eq!(link, format!("/painel?situacao=todos&preferencial={key}"));
            assert_eq!(preference_filter(key), Some(filter));
        }
        assert_eq!(preference_filter(""), None, "every request");
        assert_eq!(
            preference_filter("vip"),
            None,
            "an unknown key filters nothing"
        );
    }

    fn kept(
        zone: Option<i32>,
        search: Option<&str>,
        preferential: Option<PreferenceFilter>,
    ) -> InboxFilter {
        InboxFilter {
            zone,
            search: search.map(str::to_string),
            preferential,
            ..InboxFilter::default()
        }
    }
}
