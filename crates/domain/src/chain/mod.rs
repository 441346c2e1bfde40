//! The seven-step chain (YQ 一(三), MECHANISM §1 and §4): needs, the project stages, the
//! representatives' vote, review panels and fund balances. Pure rules; the app layer loads the
//! facts, asks these functions, and stores what they allow in one transaction.

pub mod application;
pub mod call;
pub mod catalogue;
pub mod committee;
pub mod consultation;
pub mod contract;
pub mod delivery;
pub mod erratum;
pub mod evaluation;
pub mod milestone;
pub mod money;
pub mod need;
pub mod oversight;
pub mod panel;
pub mod purchase;
pub mod review_group;
pub mod selection;
pub mod stage;
pub mod termination;
pub mod vote;
