//! A legal hold through the staff API: put and lifted with a reason, in a final state too,
//! refused twice or without a reason (and then nothing is written), out of another zone's
//! reach.

use serde_json::{Value, json};

use crate::helpers::{create_clerk, row_counts, spawn_app};

#[tokio::test]
async fn a_closed_request_is_held_and_released_with_its_reasons() {
    let app = spawn_app().await;
    create_clerk(&app.store, "ana@tre-pa.jus.br", &[1]).await;
    create_clerk(&app.store, "beto@tre-pa.jus.br", &[2]).await;
    let (protocol, _) = app.submit(1).await;
    let id = app
        .store
        .request_by_protocol(&protocol)
        .await
        .unwrap()
        .unwrap()
        .0
        .id;
    let token = app.sign_in("ana@tre-pa.jus.br").await;
    let (status, _) = app
        .transition_as(
            &token,
            id,
            &json!({"action": "reject", "version": 1, "reason": "Pedido repetido."}),
        )
        .await;
    assert_eq!(status, 200);

    // Without a reason: 422, nothing written.
    let before = row_counts(&app.store).await;
    let (status, body) = app
        .transition_as(&token, id, &json!({"action": "hold", "version": 2}))
        .await;
    assert_eq!(status, 422, "{body}");
    assert!(body["errors"]["reason"].is_array(), "{body}");
    assert_eq!(row_counts(&app.store).await, before);

    // Another zone's clerk does not find it.
    let other = app.sign_in("beto@tre-pa.jus.br").await;
    let (status, _) = app
        .transition_as(
            &other,
            id,
            &json!({"action": "hold", "version": 2, "reason": "Ordem judicial."}),
        )
        .await;
    assert_eq!(status, 404);

    let (status, held) = app
        .transition_as(
            &token,
            id,
            &json!({"action": "hold", "version": 2, "reason": "Ordem judicial no processo 0600123-45.2026.6.14.0001."}),
        )
        .await;
    assert_eq!(status, 200, "{held}");
    assert_eq!(held["legal_hold"], true);
    assert_eq!(held["status"], "rejected", "the state stays");
    let last = held["history"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(last["action"], "hold", "{last}");
    assert!(
        last["note"].as_str().unwrap().starts_with("Ordem judicial"),
        "{last}"
    );

    let (status, twice) = app
        .transition_as(
            &token,
            id,
            &json!({"action": "hold", "version": 3, "reason": "De novo."}),
        )
        .await;
    assert_eq!(status, 409);
    assert_eq!(twice["code"], "already_on_hold", "{twice}");

    let (status, released) = app
        .transition_as(
            &token,
            id,
            &json!({"action": "release_hold", "version": 3, "reason": "Processo arquivado."}),
        )
        .await;
    assert_eq!(status, 200, "{released}");
    assert_eq!(released["legal_hold"], false);
    let (status, again): (u16, Value) = app
        .transition_as(
            &token,
            id,
            &json!({"action": "release_hold", "version": 4, "reason": "De novo."}),
        )
        .await;
    assert_eq!(status, 409);
    assert_eq!(again["code"], "not_on_hold", "{again}");
}
