//! Migrations that change existing rows, run against rows that were there before them.

use entities::requests;
use migration::{Migrator, MigratorTrait};
use sea_orm::EntityTrait;

use crate::helpers::spawn_app;

#[tokio::test]
async fn requests_filed_before_the_name_search_key_get_one() {
    let app = spawn_app().await;
    app.submit(1).await;
    let db = app.store.connection();

    // Back to the schema before the key, then forward again, as an upgrade runs.
    Migrator::down(db, Some(1)).await.unwrap();
    Migrator::up(db, None).await.unwrap();

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
