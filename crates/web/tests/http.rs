//! HTTP tests: the real server on 127.0.0.1:0 with a fresh database (SQLite, or PostgreSQL when
//! SANSHE_TEST_DATABASE_URL is set), driven by a cookie-keeping client.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "http/acceptance.rs"]
mod acceptance;
#[path = "http/accounts.rs"]
mod accounts;
#[path = "http/administration.rs"]
mod administration;
#[path = "http/application.rs"]
mod application;
#[path = "http/areas.rs"]
mod areas;
#[path = "http/audit.rs"]
mod audit;
#[path = "http/calls.rs"]
mod calls;
#[path = "http/catalogue.rs"]
mod catalogue;
#[path = "http/consultation.rs"]
mod consultation;
#[path = "http/corrections.rs"]
mod corrections;
#[path = "http/cycle.rs"]
mod cycle;
#[path = "http/disclosure.rs"]
mod disclosure;
#[path = "http/freeze.rs"]
mod freeze;
#[path = "http/fund_return.rs"]
mod fund_return;
#[path = "http/harness.rs"]
mod harness;
#[path = "http/milestones.rs"]
mod milestones;
#[path = "http/needs.rs"]
mod needs;
#[path = "http/openapi.rs"]
mod openapi;
#[path = "http/operations.rs"]
mod operations;
#[path = "http/organizations.rs"]
mod organizations;
#[path = "http/paging.rs"]
mod paging;
#[path = "http/paging_registers.rs"]
mod paging_registers;
#[path = "http/public.rs"]
mod public;
#[path = "http/purchase.rs"]
mod purchase;
#[path = "http/recovery.rs"]
mod recovery;
#[path = "http/registers.rs"]
mod registers;
#[path = "http/review_group.rs"]
mod review_group;
#[path = "http/robustness.rs"]
mod robustness;
#[path = "http/social_work.rs"]
mod social_work;
#[path = "http/territory.rs"]
mod territory;
#[path = "http/volunteers.rs"]
mod volunteers;
#[path = "http/vote.rs"]
mod vote;
#[path = "http/vote_integrity.rs"]
mod vote_integrity;
