//! The whole panel, crawled as a browser would: signed in as an admin and as one zone's
//! clerk, every link under `/painel` is followed, and the inbox search is sent with awkward
//! text. No page may fail, and a search stays the same search through tabs and pages.

use std::collections::{BTreeMap, VecDeque};

use chrono::NaiveDate;
use contato::{
    domain::{
        change::Actor, command::Command, meet_link::MeetLink, schedule::SERVICE_TIME_ZONE,
        staff::Role, status::Outcome,
    },
    store::ZoneScope,
};
use reqwest::{Client, redirect::Policy};

use crate::{
    helpers::{
        TEST_PASSWORD, TestApp, create_clerk, create_staff, new_request_from, spawn_app,
        submission_input, token_hash,
    },
    panel_admin::dead_job,
};

const ADMIN: &str = "ti@tre-pa.jus.br";
/// The clerk of zone 1, who must not reach zone 28.
const CLERK: &str = "ana@tre-pa.jus.br";
const ZONE: i32 = 1;
const OTHER_ZONE: i32 = 28;

/// A bound on one crawl: reaching it means a link leads on without end.
const MAX_PAGES: usize = 600;
/// The agenda's days and the holidays' years lead on without end: a few steps of each.
const STEPPED_PATHS: [&str; 2] = ["/painel/agenda", "/painel/admin/feriados"];
const MAX_STEPS: usize = 6;

/// What was filed before the crawl, to check that the crawl found it.
struct Seeded {
    /// Every request: its page and its zone.
    requests: Vec<(String, i32)>,
    /// A request to look up by protocol and by CPF: `(protocol, CPF digits)`.
    sample: (String, String),
    /// The protocol of Joana D'Arc da Conceição's request.
    joana: String,
    /// The day of the scheduled meetings.
    meeting_day: NaiveDate,
}

/// Staff, more than a page of new requests in zone 1, a few in zone 28, some of them moved
/// on so that every tab has rows, and a failed job for the admin's jobs page.
async fn seed(app: &TestApp) -> Seeded {
    let clerk = create_clerk(&app.store, CLERK, &[ZONE]).await;
    create_clerk(&app.store, "bia@tre-pa.jus.br", &[OTHER_ZONE]).await;
    create_staff(&app.store, ADMIN, Role::Admin, &[]).await;
    let mut requests = Vec::new();
    let mut filed = |(id, zone, protocol): (i64, i32, String)| {
        requests.push((format!("/painel/solicitacoes/{id}"), zone));
        (id, protocol)
    };
    let zone_one: Vec<(i64, String)> = {
        let mut ids = Vec::new();
        for _ in 0..60 {
            ids.push(filed(file(app, ZONE, None).await));
        }
        ids
    };
    for _ in 0..5 {
        filed(file(app, OTHER_ZONE, None).await);
    }
    let (_, joana) = filed(file(app, ZONE, Some("Joana D'Arc da Conceição")).await);

    let link = MeetLink::parse(
        "https://meet.google.com/abc-defg-hij",
        &["meet.google.com".into()],
    )
    .expect("a Meet link");
    let slots = app.future_slots(3);
    for (id, _) in &zone_one[..6] {
        change(app, *id, 1, Command::Triage, clerk.id).await;
    }
    for ((id, _), slot) in zone_one[..3].iter().zip(&slots) {
        let schedule = Command::Schedule {
            start: slot.start,
            meet_link: Some(link.clone()),
        };
        change(app, *id, 2, schedule, clerk.id).await;
    }
    let complete = Command::Complete {
        outcome: Outcome::Attended,
    };
    change(app, zone_one[2].0, 3, complete, clerk.id).await;
    let reject = Command::Reject {
        reason: "O assunto não é da competência do cartório eleitoral.".into(),
    };
    change(app, zone_one[3].0, 2, reject, clerk.id).await;
    change(
        app,
        zone_one[4].0,
        2,
        Command::Cancel { reason: None },
        clerk.id,
    )
    .await;
    dead_job(app, Some(zone_one[0].0)).await;

    let (sample_id, sample_protocol) = zone_one[10].clone();
    let sample_cpf = app
        .store
        .request(sample_id, &ZoneScope::All)
        .await
        .expect("the store answers")
        .expect("the sample request")
        .cpf;
    Seeded {
        requests,
        sample: (sample_protocol, sample_cpf),
        joana,
        meeting_day: slots[0]
            .start
            .with_timezone(&SERVICE_TIME_ZONE)
            .date_naive(),
    }
}

/// Files a request for `zone` straight into the store: `(id, zone, protocol)`.
async fn file(app: &TestApp, zone: i32, name: Option<&str>) -> (i64, i32, String) {
    let mut input = submission_input(zone.into());
    if let Some(name) = name {
        input.name = Some(name.into());
    }
    let submitted = app
        .store
        .submit(&new_request_from(input), &token_hash(), 0, app.now())
        .await
        .expect("the store answers")
        .expect("the request is filed");
    (submitted.id, zone, submitted.protocol)
}

async fn change(app: &TestApp, id: i64, version: i32, command: Command, clerk: i32) {
    app.change(id, version, command, Actor::Staff(clerk))
        .await
        .expect("the store answers")
        .expect("the change is allowed");
}

/// A browser signed in through the sign-in form: it keeps cookies and follows no redirect.
async fn signed_in(app: &TestApp, email: &str) -> Client {
    let client = Client::builder()
        .cookie_store(true)
        .redirect(Policy::none())
        .build()
        .expect("a client");
    let form = get(&client, app, "/painel/entrar").await.body;
    let response = client
        .post(app.url("/painel/entrar"))
        .form(&[
            ("csrf", field_value(&form, "csrf").as_str()),
            ("email", email),
            ("password", TEST_PASSWORD),
            ("volta", "/painel"),
        ])
        .send()
        .await
        .expect("the sign-in is sent");
    assert_eq!(response.status(), 303, "{email} signs in");
    client
}

/// One answer of the panel.
struct Page {
    status: u16,
    location: Option<String>,
    body: String,
}

async fn get(client: &Client, app: &TestApp, address: &str) -> Page {
    let response = client
        .get(app.url(address))
        .send()
        .await
        .expect("the page answers");
    let location = response
        .headers()
        .get("location")
        .and_then(|value| value.to_str().ok())
        .map(str::to_string);
    Page {
        status: response.status().as_u16(),
        location,
        body: response.text().await.expect("a body"),
    }
}

/// Text as a browser reads it from the HTML, for the entities minijinja writes.
fn unescape(html: &str) -> String {
    html.replace("&#x2f;", "/")
        .replace("&#x27;", "'")
        .replace("&quot;", "\"")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

/// Every `href="…"` of `html`, as the browser would request it.
fn links(html: &str) -> Vec<String> {
    html.split("href=\"")
        .skip(1)
        .filter_map(|rest| rest.split('"').next())
        .map(unescape)
        .collect()
}

/// Where the link that reads `label` leads.
fn link_to(html: &str, label: &str) -> Option<String> {
    let end = html.find(&format!("\">{label}</a>"))?;
    let start = html[..end].rfind("href=\"")? + "href=\"".len();
    Some(unescape(&html[start..end]))
}

/// The value of the first field named `name` in `html`, as the browser would send it.
fn field_value(html: &str, name: &str) -> String {
    let at = html
        .find(&format!("name=\"{name}\""))
        .unwrap_or_else(|| panic!("no field {name} in the page"));
    let tag = &html[at..at + html[at..].find('>').expect("the end of the tag")];
    tag.split("value=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .map(unescape)
        .unwrap_or_default()
}

/// The panel address a link leads to, if the crawl should follow it: same site, under
/// `/painel`, not signing out; without its `#fragment`.
fn followable(href: &str) -> Option<String> {
    let address = href.split('#').next().unwrap_or_default();
    let path = address.split('?').next().unwrap_or_default();
    (path == "/painel" || path.starts_with("/painel/"))
        .then_some(address)
        .filter(|_| path != "/painel/sair")
        .map(str::to_string)
}

/// Follows every link from `start` on, each address once; returns each address's status.
/// A redirect is followed too, and must not be to the sign-in page: the session lasts.
async fn crawl(app: &TestApp, client: &Client, start: &[String]) -> BTreeMap<String, u16> {
    let mut seen: BTreeMap<String, u16> = BTreeMap::new();
    let mut steps: BTreeMap<String, usize> = BTreeMap::new();
    let mut queue: VecDeque<String> = start.iter().cloned().collect();
    while let Some(address) = queue.pop_front() {
        if seen.contains_key(&address) {
            continue;
        }
        let path = address.split('?').next().unwrap_or_default().to_string();
        if STEPPED_PATHS.contains(&path.as_str()) {
            let taken = steps.entry(path).or_default();
            if *taken == MAX_STEPS {
                continue;
            }
            *taken += 1;
        }
        assert!(seen.len() < MAX_PAGES, "the crawl does not end: {seen:?}");
        let page = get(client, app, &address).await;
        seen.insert(address.clone(), page.status);
        let next = match &page.location {
            Some(location) => {
                assert!(
                    !location.starts_with("/painel/entrar"),
                    "{address} signed the browser out"
                );
                vec![location.clone()]
            }
            None => links(&page.body),
        };
        queue.extend(next.iter().filter_map(|href| followable(href)));
    }
    seen
}

/// The addresses that answered anything but a page (200) or a redirect (303).
fn failures(crawled: &BTreeMap<String, u16>) -> Vec<(&String, &u16)> {
    crawled
        .iter()
        .filter(|(_, status)| !matches!(status, 200 | 303))
        .collect()
}

/// Where a crawl starts: the inbox, and the day of the meetings, which the agenda's steps
/// from today may not reach.
fn start(seeded: &Seeded) -> Vec<String> {
    vec![
        "/painel".to_string(),
        format!("/painel/agenda?dia={}", seeded.meeting_day),
    ]
}

#[tokio::test]
async fn an_admin_can_open_every_page_the_panel_links_to() {
    let app = spawn_app().await;
    let seeded = seed(&app).await;
    let admin = signed_in(&app, ADMIN).await;

    let crawled = crawl(&app, &admin, &start(&seeded)).await;

    assert_eq!(failures(&crawled), Vec::<(&String, &u16)>::new());
    for (page, _) in &seeded.requests {
        assert!(
            crawled.contains_key(page),
            "{page} is reached from the inbox"
        );
    }
    for page in [
        "/painel/admin",
        "/painel/admin/equipe",
        "/painel/admin/zonas/28",
        "/painel/admin/tarefas?estado=dead",
        "/painel/admin/tarefas?estado=todas",
        "/painel?situacao=submitted&pagina=2",
    ] {
        assert!(crawled.contains_key(page), "{page} is reached");
    }
    assert!(
        crawled
            .keys()
            .any(|page| page.starts_with("/painel/admin/feriados?ano=")),
        "the holidays are reached"
    );
}

#[tokio::test]
async fn a_clerk_can_open_every_page_the_panel_links_to_and_no_other_zones() {
    let app = spawn_app().await;
    let seeded = seed(&app).await;
    let clerk = signed_in(&app, CLERK).await;

    let crawled = crawl(&app, &clerk, &start(&seeded)).await;

    assert_eq!(failures(&crawled), Vec::<(&String, &u16)>::new());
    for (page, zone) in &seeded.requests {
        assert_eq!(
            crawled.contains_key(page),
            *zone == ZONE,
            "{page} of zone {zone}"
        );
    }
    assert!(crawled.contains_key("/painel?situacao=submitted&pagina=2"));
    assert!(
        !crawled.keys().any(|page| page.starts_with("/painel/admin")),
        "no link to the admin pages"
    );
}

/// The inbox as its search form sends it.
fn search_address(tab: &str, zone: &str, text: &str) -> String {
    let query = url::form_urlencoded::Serializer::new(String::new())
        .append_pair("situacao", tab)
        .append_pair("zona", zone)
        .append_pair("q", text)
        .finish();
    format!("/painel?{query}")
}

/// Searches `text` in every state of `zone`, checks the page and every inbox link on it
/// (tabs, pages), and returns the result page.
async fn search(app: &TestApp, client: &Client, zone: &str, text: &str) -> String {
    let echoed = if text.trim().is_empty() { "" } else { text };
    let address = search_address("todos", zone, text);
    let page = get(client, app, &address).await;
    assert_eq!(page.status, 200, "{address}");
    assert_eq!(
        field_value(&page.body, "q"),
        echoed,
        "{address} shows its search"
    );
    if text.contains('<') {
        assert!(!page.body.contains(text), "{address} escapes its search");
    }
    let inbox_links: Vec<String> = links(&page.body)
        .into_iter()
        .filter(|link| link.starts_with("/painel?"))
        .collect();
    for link in &inbox_links {
        let followed = get(client, app, link).await;
        assert_eq!(followed.status, 200, "{link}, from {address}");
        assert_eq!(
            field_value(&followed.body, "q"),
            echoed,
            "{link}, from {address}, keeps the search"
        );
    }
    page.body
}

#[tokio::test]
async fn odd_searches_answer_and_keep_their_text_through_tabs_and_pages() {
    let app = spawn_app().await;
    let seeded = seed(&app).await;
    let (protocol, cpf) = &seeded.sample;
    let cpf: String = cpf.chars().filter(char::is_ascii_digit).collect();
    let punctuated = format!("{}.{}.{}-{}", &cpf[..3], &cpf[3..6], &cpf[6..9], &cpf[9..]);
    let odd = [
        "José",
        "conceição",
        "CONCEIÇÃO",
        "\"José\"",
        "D'Arc",
        "%",
        "_",
        "100%_",
        "&",
        "a&q=b",
        "#1",
        "a+b",
        "<script>alert(1)</script>",
        "",
        "   ",
        " José ",
    ];

    for (who, email, zone) in [("admin", ADMIN, ""), ("clerk", CLERK, "1")] {
        let client = signed_in(&app, email).await;
        for text in odd {
            search(&app, &client, zone, text).await;
        }
        for (text, expected) in [
            (protocol.as_str(), protocol),
            (cpf.as_str(), protocol),
            (punctuated.as_str(), protocol),
            ("conceição", &seeded.joana),
            ("CONCEIÇÃO", &seeded.joana),
            ("D'Arc", &seeded.joana),
        ] {
            let page = search(&app, &client, zone, text).await;
            assert!(
                page.contains(expected.as_str()),
                "{who}: {text} finds {expected}"
            );
        }
        // More than a page of names with "José": the next page keeps the search.
        let page = search(&app, &client, zone, "José").await;
        assert!(page.contains("Página 1 de 2"), "{who}");
        let next = link_to(&page, "Próxima").expect("a link to the next page");
        let second = get(&client, &app, &next).await;
        assert!(second.body.contains("Página 2 de 2"), "{who}: {next}");
        assert_eq!(field_value(&second.body, "q"), "José", "{who}: {next}");
    }
    // A clerk's filter on another zone reads as not found, as the zone's requests do.
    let clerk = signed_in(&app, CLERK).await;
    let elsewhere = get(&clerk, &app, &search_address("todos", "28", "José")).await;
    assert_eq!(elsewhere.status, 404);
}
