//! Migrations that change existing rows, run against rows that were there before them.

use entities::requests;
use sea_orm::EntityTrait;

use crate::helpers::{replay_migrations_from, spawn_app};

#[tokio::test]
async fn requests_filed_before_the_name_search_key_get_one() {
    let app = spawn_app().await;
    app.submit(1).await;
    let db = app.store.connection();

    replay_migrations_from(&app, "m20261130_000011_add_requester_name_key").await;

    let rows = requests::Entity::find().all(db).await.unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(
        rows[0].requester_name_key,
        contato::domain::text::search_key(&rows[0].requester_name)
    );
    assert!(
        rows[0].requester_name_key.contains("maria jose"),
        "{}",
        rows[0].requester_name_key
    );
}

#[tokio::test]
async fn requests_filed_before_the_email_key_get_one_in_lower_case() {
    let app = spawn_app().await;
    let mut body = crate::helpers::submission_json(1);
    body["email"] = serde_json::json!("Maria.Souza@Example.COM");
    assert_eq!(app.post_json("/api/v1/requests", &body).await.status(), 201);
    let db = app.store.connection();

    replay_migrations_from(&app, "m20261201_000016_add_requester_email_key").await;

    let rows = requests::Entity::find().all(db).await.unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].email, "Maria.Souza@example.com");
    assert_eq!(rows[0].email_key, "maria.souza@example.com");
}

#[tokio::test]
async fn requests_filed_before_preferential_attendance_declared_none() {
    let app = spawn_app().await;
    app.submit(1).await;
    let db = app.store.connection();

    replay_migrations_from(&app, "m20261201_000017_add_requester_preference").await;

    let rows = requests::Entity::find().all(db).await.unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].preferential, None);
    assert_eq!(rows[0].preference_rank, 2, "served after every category");
}

#[tokio::test]
async fn requests_filed_before_requester_reschedules_were_moved_by_nobody() {
    let app = spawn_app().await;
    app.submit(1).await;
    let db = app.store.connection();

    replay_migrations_from(&app, "m20261201_000018_add_requester_reschedules").await;

    let rows = requests::Entity::find().all(db).await.unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].requester_reschedules, 0);
}
