//! The seven-step chain's records, one module per context with the same names as
//! `domain::chain` and `app::chain`: needs, the catalogue and eligibility, applications (the
//! project, its versions and stage), consultations, the representatives' votes, funds and the
//! purchase decision, contracts, delivery, evaluation and payments, and calls.

pub mod application;
pub mod call;
pub mod catalogue;
pub mod consultation;
pub mod contract;
pub mod delivery;
pub mod erratum;
pub mod evaluation;
pub mod milestone;
pub mod need;
pub mod purchase;
pub mod termination;
pub mod vote;
