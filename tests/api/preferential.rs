//! Preferential attendance: declared on the form and the API, served first in staff lists.

use serde_json::{Value, json};

use crate::helpers::{TestApp, create_clerk, row_counts, spawn_app_with, submission_json};
use crate::panel::signed_in;

/// Files one request per category, in this order, and returns their protocols.
async fn file_in_order(app: &TestApp, categories: &[Option<&str>]) -> Vec<String> {
    let mut protocols = Vec::new();
    for category in categories {
        let mut body = submission_json(1);
        body["preferential"] = json!(category);
        let response = app.post_json("/api/v1/requests", &body).await;
        assert_eq!(response.status(), 201, "{category:?}");
        let receipt: Value = response.json().await.unwrap();
        protocols.push(receipt["protocol"].as_str().unwrap().to_string());
    }
    protocols
}

async fn app_with_clerk() -> TestApp {
    let app = spawn_app_with(&[("limits.submissions_per_minute", json!(0))]).await;
    create_clerk(&app.store, "ana@tre-pa.jus.br", &[1]).await;
    app
}

async fn listed(app: &TestApp, token: &str, query: &str) -> Vec<(String, Value)> {
    let response = app
        .get_as(token, &format!("/api/v1/staff/requests?{query}"))
        .await;
    assert_eq!(response.status(), 200, "{query}");
    let body: Value = response.json().await.unwrap();
    body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|item| {
            (
                item["protocol"].as_str().unwrap().to_string(),
                item["preferential"].clone(),
            )
        })
        .collect()
}

#[tokio::test]
async fn staff_lists_serve_eighty_and_over_then_other_categories_then_the_rest_oldest_first() {
    let app = app_with_clerk().await;
    let filed = file_in_order(
        &app,
        &[
            None,
            Some("idoso"),
            Some("idoso80"),
            None,
            Some("gestante"),
            Some("idoso80"),
            Some("doador_sangue"),
        ],
    )
    .await;
    let token = app.sign_in("ana@tre-pa.jus.br").await;

    let order = listed(&app, &token, "status=submitted").await;

    let expected = [2, 5, 1, 4, 6, 0, 3];
    assert_eq!(
        order.iter().map(|(p, _)| p.clone()).collect::<Vec<_>>(),
        expected.map(|i| filed[i].clone())
    );
    assert_eq!(
        order.iter().map(|(_, c)| c.clone()).collect::<Vec<_>>(),
        [
            json!("idoso80"),
            json!("idoso80"),
            json!("idoso"),
            json!("gestante"),
            json!("doador_sangue"),
            Value::Null,
            Value::Null
        ]
    );
    let detail: Value = app
        .get_as(&token, "/api/v1/staff/requests?status=submitted&per_page=1")
        .await
        .json()
        .await
        .unwrap();
    let id = detail["items"][0]["id"].as_i64().unwrap();
    let detail: Value = app
        .get_as(&token, &format!("/api/v1/staff/requests/{id}"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(detail["preferential"], "idoso80");
}

#[tokio::test]
async fn staff_lists_filter_by_category_or_any() {
    let app = app_with_clerk().await;
    let filed = file_in_order(&app, &[Some("gestante"), None, Some("idoso80"), None]).await;
    let token = app.sign_in("ana@tre-pa.jus.br").await;
    let protocols = |items: Vec<(String, Value)>| -> Vec<String> {
        items.into_iter().map(|(protocol, _)| protocol).collect()
    };

    let any = protocols(listed(&app, &token, "preferential=any").await);
    let one = protocols(listed(&app, &token, "preferential=gestante").await);
    let unknown = app
        .get_as(&token, "/api/v1/staff/requests?preferential=vip")
        .await;

    assert_eq!(any, [filed[2].clone(), filed[0].clone()]);
    assert_eq!(one, [filed[0].clone()]);
    assert_eq!(unknown.status(), 422);
    let errors: Value = unknown.json().await.unwrap();
    assert!(
        errors["errors"]["preferential"][0]
            .as_str()
            .unwrap()
            .contains("Categoria desconhecida: vip"),
        "{errors}"
    );
}

#[tokio::test]
async fn an_unknown_category_is_refused_and_nothing_is_filed() {
    let app = app_with_clerk().await;
    let before = row_counts(&app.store).await;
    let mut body = submission_json(1);
    body["preferential"] = json!("vip");
    let mut wrong_type = submission_json(1);
    wrong_type["preferential"] = json!(80);

    let unknown = app.post_json("/api/v1/requests", &body).await;
    let number = app.post_json("/api/v1/requests", &wrong_type).await;

    assert_eq!(unknown.status(), 422);
    let errors: Value = unknown.json().await.unwrap();
    assert_eq!(
        errors["errors"]["preferential"][0],
        "Escolha uma das categorias de atendimento preferencial da lista, ou nenhuma."
    );
    assert_eq!(number.status(), 422);
    assert_eq!(row_counts(&app.store).await, before);
}

#[tokio::test]
async fn the_form_takes_a_category_and_the_panel_shows_it_first_with_its_badge() {
    let app = app_with_clerk().await;
    file_in_order(&app, &[None]).await;
    let form = app
        .http
        .get(app.url("/solicitar"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(form.contains(r#"<option value="idoso80">Pessoa com 80 anos ou mais</option>"#));
    assert!(
        form.contains("o cartório pode pedi-lo no atendimento"),
        "{form}"
    );
    let sample = submission_json(1);
    let filed = app
        .http
        .post(app.url("/solicitar"))
        .form(&[
            ("zone", "1"),
            ("name", sample["name"].as_str().unwrap()),
            ("cpf", sample["cpf"].as_str().unwrap()),
            ("email", sample["email"].as_str().unwrap()),
            ("phone", sample["phone"].as_str().unwrap()),
            ("role", "parte"),
            ("preferential", "crianca_colo"),
            ("subject", sample["subject"].as_str().unwrap()),
            ("description", sample["description"].as_str().unwrap()),
            ("consent", "on"),
        ])
        .send()
        .await
        .unwrap();
    assert!(
        filed.url().path().starts_with("/solicitar/recebida/"),
        "{}",
        filed.url()
    );
    let clerk = signed_in(&app, "ana@tre-pa.jus.br").await;

    let inbox = clerk
        .get(app.url("/painel?situacao=submitted"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let filtered = clerk
        .get(app.url("/painel?situacao=submitted&preferencial=qualquer"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();

    let badge = "Atendimento preferencial: </span>Criança de colo</span>";
    let first_row = inbox.find("<tbody>").map(|at| &inbox[at..]).unwrap();
    let rows: Vec<&str> = first_row.split("<tr").skip(1).collect();
    assert_eq!(rows.len(), 2, "{inbox}");
    assert!(
        rows[0].contains(badge),
        "the declared category comes first: {inbox}"
    );
    assert!(!rows[1].contains("badge--preferential"), "{inbox}");
    assert_eq!(filtered.matches("<tbody>").count(), 1);
    assert_eq!(
        filtered
            .split("<tbody>")
            .nth(1)
            .unwrap()
            .matches("<tr")
            .count(),
        1,
        "{filtered}"
    );
    assert!(
        filtered.contains(r#"<option value="qualquer" selected>"#),
        "{filtered}"
    );
    assert!(
        filtered.contains("preferencial=qualquer"),
        "the tabs keep the filter: {filtered}"
    );
}
