use contato::{
    domain::{
        email::Email,
        staff::{Assignment, AssignmentError, Role},
        text::PersonName,
    },
    store::{Duplicate, NewStaff, StoreError},
};

use crate::helpers::{
    assignment, create_clerk, create_staff, password_hash, row_counts, spawn_app,
};

fn account(email: &str, role: Role, zones: &[i32]) -> NewStaff {
    NewStaff {
        email: Email::parse(email).unwrap(),
        name: PersonName::parse("Fulana de Tal").unwrap(),
        assignment: assignment(role, zones),
        password_hash: password_hash(),
        interpreter: false,
    }
}

#[tokio::test]
async fn a_clerk_is_created_with_their_zones() {
    let app = spawn_app().await;

    let clerk = create_clerk(&app.store, "Ana.Clerk@TRE-PA.jus.br", &[28, 1]).await;

    assert_eq!(clerk.email, "ana.clerk@tre-pa.jus.br");
    assert_eq!(clerk.role, Role::Clerk);
    assert_eq!(clerk.zones, [1, 28]);
    assert!(clerk.active);
    let found = app
        .store
        .staff_by_email("ANA.CLERK@tre-pa.jus.br")
        .await
        .unwrap();
    assert_eq!(found, Some(clerk));
}

#[tokio::test]
async fn bad_accounts_are_refused_and_nothing_is_stored() {
    let app = spawn_app().await;
    create_clerk(&app.store, "taken@tre-pa.jus.br", &[1]).await;
    let before = row_counts(&app.store).await;

    type Refusal = fn(&StoreError) -> bool;
    let cases: [(&str, NewStaff, Refusal); 2] = [
        (
            "an e-mail already in use, in other capitals",
            account("TAKEN@tre-pa.jus.br", Role::Clerk, &[1]),
            |e| matches!(e, StoreError::Duplicate(Duplicate::StaffEmail)),
        ),
        (
            "a zone that does not exist",
            account("new@tre-pa.jus.br", Role::Clerk, &[1, 999]),
            |e| matches!(e, StoreError::UnknownZones(zones) if zones.iter().map(|z| z.get()).eq([999])),
        ),
    ];
    for (description, new, expected) in cases {
        match app.store.create_staff(&new, app.now()).await {
            Err(error) => assert!(expected(&error), "{description}: {error:?}"),
            other => panic!("{description}: {other:?}"),
        }
    }
    // A clerk without a zone cannot even be put to the store.
    assert_eq!(
        Assignment::new(Role::Clerk, vec![]),
        Err(AssignmentError::ClerkWithoutZone)
    );

    assert_eq!(row_counts(&app.store).await, before);
}

#[tokio::test]
async fn an_admin_needs_no_zone() {
    let app = spawn_app().await;

    let admin = create_staff(&app.store, "ti@tre-pa.jus.br", Role::Admin, &[]).await;

    assert_eq!(admin.role, Role::Admin);
    assert!(admin.zones.is_empty());
}
