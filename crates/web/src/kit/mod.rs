//! The small kit every context uses: the page frame and rendering ([`page`]), refused forms
//! ([`form`]), the API's JSON body ([`json`]) and uploads, downloads and imports ([`files`]).
//! Context modules take these from here, never from one another.

pub mod files;
pub mod form;
pub mod history;
pub mod json;
pub mod page;
pub mod pager;

pub use files::{cut_notice, download, import_page_result, ImportPage, ImportQuery, CSV, XLSX};
pub use form::{ids, refused, with_lists, Empty, FormErrors, OnQuery};
pub use history::history;
pub use json::{ApiJson, ApiResult};
pub use page::{local_time, render, when, Chrome, PageResult};
pub use pager::{PageQuery, Pager};
