use std::collections::BTreeSet;

use chrono::Datelike;
use contato::{
    domain::{
        change::{Actor, Step},
        email::Email,
        schedule::SERVICE_TIME_ZONE,
        status::Status,
        submission::SubmissionRefusal,
    },
    store::ZoneScope,
};
use entities::{jobs, sea_orm_active_enums::JobState};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};

use crate::helpers::{create_clerk, new_request, row_counts, spawn_app, token_hash};

#[tokio::test]
async fn a_submission_writes_the_request_its_first_audit_row_and_its_emails() {
    let app = spawn_app().await;
    let request = new_request(1);

    let submitted = app
        .store
        .submit(&request, &token_hash(), 3, app.now())
        .await
        .unwrap()
        .expect("the request is accepted");

    let year = app.now().with_timezone(&SERVICE_TIME_ZONE).year();
    assert_eq!(submitted.protocol, format!("{year}-000001"));
    let stored = app
        .store
        .request(submitted.id, &ZoneScope::All)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(stored.status, Status::Submitted);
    assert_eq!(stored.zone, 1);
    assert_eq!(stored.cpf, request.cpf.as_str());
    assert_eq!(stored.version, 1);
    assert_eq!(stored.history.len(), 1);
    assert_eq!(stored.history[0].step, Step::Submitted);
    assert_eq!(stored.history[0].actor, Actor::Requester);
    assert_eq!(stored.history[0].to, Status::Submitted);
    let kinds: Vec<String> = jobs::Entity::find()
        .filter(jobs::Column::RequestId.eq(submitted.id))
        .order_by_asc(jobs::Column::Id)
        .all(app.store.connection())
        .await
        .unwrap()
        .into_iter()
        .inspect(|job| assert_eq!(job.state, JobState::Pending))
        .map(|job| job.kind)
        .collect();
    assert_eq!(kinds, ["email.request_received", "email.new_request"]);
}

#[tokio::test]
async fn a_hundred_concurrent_submissions_get_a_hundred_distinct_protocols() {
    let app = spawn_app().await;

    let tasks: Vec<_> = (0..100)
        .map(|i| {
            let store = app.store.clone();
            let now = app.now();
            tokio::spawn(async move {
                let zone = [1, 28, 43][i % 3];
                store
                    .submit(&new_request(zone), &token_hash(), 3, now)
                    .await
            })
        })
        .collect();
    let mut protocols = BTreeSet::new();
    for task in tasks {
        let submitted = task
            .await
            .unwrap()
            .expect("the store answers")
            .expect("every submission succeeds");
        protocols.insert(submitted.protocol);
    }

    assert_eq!(protocols.len(), 100);
    let year = app.now().with_timezone(&SERVICE_TIME_ZONE).year();
    let expected: BTreeSet<String> = (1..=100).map(|n| format!("{year}-{n:06}")).collect();
    assert_eq!(protocols, expected, "one gapless sequence");
}

#[tokio::test]
async fn an_unknown_zone_is_refused_and_nothing_is_stored() {
    let app = spawn_app().await;
    let before = row_counts(&app.store).await;

    let result = app
        .store
        .submit(&new_request(999), &token_hash(), 3, app.now())
        .await;

    assert!(
        matches!(result, Ok(Err(SubmissionRefusal::UnknownZone))),
        "{result:?}"
    );
    assert_eq!(row_counts(&app.store).await, before);
}

#[tokio::test]
async fn a_person_may_have_only_so_many_open_requests_per_address() {
    let app = spawn_app().await;
    let request = new_request(1);
    for _ in 0..2 {
        app.store
            .submit(&request, &token_hash(), 2, app.now())
            .await
            .unwrap()
            .expect("the request is accepted");
    }
    let before = row_counts(&app.store).await;

    let third = app
        .store
        .submit(&request, &token_hash(), 2, app.now())
        .await;
    // The same address typed in other letter case is the same address.
    let mut shouted = new_request(1);
    shouted.email = Email::parse(&request.email.as_str().to_uppercase()).unwrap();
    let in_capitals = app
        .store
        .submit(&shouted, &token_hash(), 2, app.now())
        .await;
    let no_limit = app
        .store
        .submit(&request, &token_hash(), 0, app.now())
        .await;

    for refused in [third, in_capitals] {
        assert_eq!(
            refused.unwrap().map(|_| ()),
            Err(SubmissionRefusal::TooManyOpen { limit: 2 })
        );
    }
    assert!(
        matches!(no_limit, Ok(Ok(_))),
        "a limit of 0 turns the check off"
    );
    let after = row_counts(&app.store).await;
    assert_eq!(requests(&after), requests(&before).map(|n| n + 1));
}

#[tokio::test]
async fn requests_filed_with_someones_cpf_from_other_addresses_never_refuse_their_own() {
    let app = spawn_app().await;
    let owner = new_request(1);
    for _ in 0..3 {
        let mut impostor = new_request(1);
        impostor.cpf = owner.cpf.clone();
        app.store
            .submit(&impostor, &token_hash(), 3, app.now())
            .await
            .unwrap()
            .expect("each throwaway address is under the limit");
    }

    let own = app.store.submit(&owner, &token_hash(), 3, app.now()).await;

    assert!(matches!(own, Ok(Ok(_))), "{own:?}");
}

fn requests(counts: &[(&str, i64)]) -> Option<i64> {
    counts
        .iter()
        .find(|(table, _)| *table == "requests")
        .map(|(_, n)| *n)
}

#[tokio::test]
async fn new_requests_go_to_the_least_loaded_clerk_of_the_zone() {
    let app = spawn_app().await;
    let ana = create_clerk(&app.store, "ana@tre-pa.jus.br", &[1]).await;
    let bia = create_clerk(&app.store, "bia@tre-pa.jus.br", &[1, 28]).await;
    let _other_zone = create_clerk(&app.store, "caio@tre-pa.jus.br", &[43]).await;
    // Bia already carries a request of zone 28.
    let first = app
        .store
        .submit(&new_request(28), &token_hash(), 3, app.now())
        .await
        .unwrap()
        .expect("the request is accepted");
    assert_eq!(first.assignee_id, Some(bia.id));

    let mut assignees = Vec::new();
    for _ in 0..3 {
        let submitted = app
            .store
            .submit(&new_request(1), &token_hash(), 3, app.now())
            .await
            .unwrap()
            .expect("the request is accepted");
        assignees.push(submitted.assignee_id);
    }

    assert_eq!(assignees, [Some(ana.id), Some(ana.id), Some(bia.id)]);
}

#[tokio::test]
async fn a_zone_without_clerks_keeps_its_requests_unassigned() {
    let app = spawn_app().await;

    let submitted = app
        .store
        .submit(&new_request(5), &token_hash(), 3, app.now())
        .await
        .unwrap()
        .expect("the request is accepted");

    assert_eq!(submitted.assignee_id, None);
}
