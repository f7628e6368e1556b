use contato::reference::{SHIPPED_HOLIDAYS, SHIPPED_ZONES, parse_holidays, parse_zones};

use crate::helpers::{row_counts, spawn_app};

fn hosts() -> Vec<String> {
    vec!["meet.google.com".into()]
}

#[tokio::test]
async fn first_start_loads_every_zone_and_holiday() {
    let app = spawn_app().await;

    let zones = app.store.active_zones().await.unwrap();
    let holidays = app.store.holidays().await.unwrap();

    assert_eq!(zones.len(), 101);
    assert_eq!(zones.first().map(|z| z.number), Some(1));
    assert!(
        zones.iter().all(|z| z.number != 0),
        "zone 0 is not a unit of the service"
    );
    assert_eq!(holidays.len(), 74);
}

#[tokio::test]
async fn importing_the_same_files_again_changes_nothing() {
    let app = spawn_app().await;
    let before = row_counts(&app.store).await;

    let zones = parse_zones(SHIPPED_ZONES, &hosts()).unwrap();
    let report = app.store.import_zones(&zones, app.now()).await.unwrap();
    let holidays = parse_holidays(SHIPPED_HOLIDAYS).unwrap();
    let holiday_report = app.store.import_holidays(&holidays).await.unwrap();

    assert_eq!((report.inserted, report.updated), (0, 101));
    assert_eq!((holiday_report.inserted, holiday_report.updated), (0, 74));
    assert_eq!(row_counts(&app.store).await, before);
}

#[tokio::test]
async fn a_reimport_keeps_settings_the_file_does_not_mention() {
    let app = spawn_app().await;
    let with_email = "[[zone]]\nnumber = 1\nname = \"1ª Zona Eleitoral\"\nseat = \"Belém\"\n\
        municipalities = [\"Belém\"]\nnotification_email = \"zona01@tre-pa.jus.br\"\n\
        room_link = \"https://meet.google.com/aaa-bbbb-ccc\"\n";
    let zones = parse_zones(with_email, &hosts()).unwrap();
    app.store.import_zones(&zones, app.now()).await.unwrap();

    let shipped = parse_zones(SHIPPED_ZONES, &hosts()).unwrap();
    app.store.import_zones(&shipped, app.now()).await.unwrap();

    let zone = app.store.zone(1).await.unwrap().unwrap();
    assert_eq!(
        zone.notification_email.as_deref(),
        Some("zona01@tre-pa.jus.br")
    );
    assert_eq!(
        zone.room_link.as_deref(),
        Some("https://meet.google.com/aaa-bbbb-ccc")
    );
}

#[tokio::test]
async fn a_zone_added_to_the_file_is_inserted() {
    let app = spawn_app().await;
    let text = "[[zone]]\nnumber = 108\nname = \"108ª Zona Eleitoral\"\nmunicipalities = [\"Belém\"]\n\
        opens = \"13:00\"\ncloses = \"17:00\"\nslot_minutes = 30\nweekdays = [1, 3, 5]\n";
    let zones = parse_zones(text, &hosts()).unwrap();

    let report = app.store.import_zones(&zones, app.now()).await.unwrap();

    assert_eq!((report.inserted, report.updated), (1, 0));
    let zone = app.store.zone(108).await.unwrap().unwrap();
    let window = zone.window.expect("the zone's own window");
    assert_eq!(window.slot_minutes(), 30);
    assert_eq!(window.weekdays().iso_numbers(), [1, 3, 5]);
}
