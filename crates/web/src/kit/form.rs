//! Refused forms: the field errors shown beside what was typed, and the shapes of form bodies
//! (the CSRF token alone; list fields sent as repeated keys).

use crate::error::status_of;
use app::AppError;
use axum::http::StatusCode;
use domain::DomainError;
use serde::de::DeserializeOwned;
use serde::Deserialize;
use std::collections::HashMap;

/// Field errors of a refused form, by field name.
#[derive(Default)]
pub struct FormErrors(HashMap<String, String>);

impl FormErrors {
    pub fn from_error(e: &AppError) -> Option<Self> {
        let mut m = HashMap::new();
        match e {
            AppError::Domain(DomainError::Invalid(f)) => {
                for x in f {
                    m.entry(x.field.clone())
                        .and_modify(|v: &mut String| {
                            v.push('；');
                            v.push_str(&x.message)
                        })
                        .or_insert_with(|| x.message.clone());
                }
            }
            AppError::Duplicate { field, message } => {
                m.insert(field.to_string(), message.clone());
            }
            _ => return None,
        }
        Some(FormErrors(m))
    }
    /// One message on one field.
    pub fn single(field: &str, message: &str) -> Self {
        FormErrors(HashMap::from([(field.to_string(), message.to_string())]))
    }
    pub fn any(&self) -> bool {
        !self.0.is_empty()
    }
    pub fn has(&self, f: &str) -> bool {
        self.0.contains_key(f)
    }
    pub fn get(&self, f: &str) -> &str {
        self.0.get(f).map(String::as_str).unwrap_or("")
    }
}

/// A refused form's status and field errors; `None` when the error is not about the form.
pub fn refused(e: &AppError) -> Option<(StatusCode, FormErrors)> {
    FormErrors::from_error(e).map(|f| (status_of(e), f))
}

/// A form with nothing but its CSRF token.
#[derive(Deserialize)]
pub struct Empty {}

/// A form whose list fields arrive as repeated keys (checkboxes): repeated values are joined
/// with commas, which is how the text fields list ids too.
pub fn with_lists<T: DeserializeOwned + Default>(pairs: Vec<(String, String)>) -> T {
    let mut m = serde_json::Map::new();
    for (k, v) in pairs {
        match m.get_mut(&k) {
            Some(serde_json::Value::String(s)) if !v.trim().is_empty() => {
                if !s.trim().is_empty() {
                    s.push_str(", ");
                }
                s.push_str(&v);
            }
            Some(_) => {}
            None => {
                m.insert(k, serde_json::Value::String(v));
            }
        }
    }
    // Every field of these forms is a string with a default, so only a foreign shape fails.
    serde_json::from_value(serde_json::Value::Object(m)).unwrap_or_default()
}

/// The ids of a list typed or joined as above: separated by commas (either width) or spaces.
pub fn ids(list: &str) -> impl Iterator<Item = &str> {
    list.split(|c: char| c == ',' || c == '，' || c.is_whitespace())
        .filter(|x| !x.is_empty())
}

/// The query of a page that reads a day (`?on=YYYY-MM-DD`; today when absent or not a date).
#[derive(Debug, Default, Deserialize)]
pub struct OnQuery {
    #[serde(default)]
    pub on: String,
}

impl OnQuery {
    pub fn day(&self) -> Option<chrono::NaiveDate> {
        domain::text::parse_date(&self.on)
    }
}
