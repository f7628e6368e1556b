//! One integration test binary (one build, one link). Every test gets a fresh database:
//! a SQLite file in a temporary folder, or, when `CONTATO_TEST_DATABASE_URL` names a
//! PostgreSQL server, a database of its own on that server, dropped at the end.

#[macro_use]
mod helpers;

mod accessibility;
mod admin;
mod browser;
mod browser_data_subject;
mod browser_indicators;
mod browser_legal_hold;
mod browser_messages;
mod browser_panel;
mod browser_public;
mod browser_queue;
mod browser_survey;
mod cli;
mod connections;
mod data_subject;
mod errors;
mod fake_google;
mod google;
mod health;
mod indicators;
mod legal_hold;
mod libras;
mod mail;
mod messages;
mod migrations;
mod observability;
mod offers;
mod openapi;
mod panel;
mod panel_admin;
mod panel_crawl;
mod preferential;
mod privacy;
mod public_api;
mod queue;
mod reference;
mod requester_reschedule;
mod retention;
mod smtp;
mod staff;
mod staff_api;
mod submissions;
mod survey;
mod transitions;
