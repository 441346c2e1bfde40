//! Who people are and what they may act as: signing in and out with the display choices
//! ([`session`]), one's own account and API tokens ([`account`]), and the administration of
//! accounts and their roles ([`users`]); each with its pages and its API.

pub mod account;
pub mod session;
pub mod users;
