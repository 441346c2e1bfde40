//! The OpenAPI document is a contract: every API route declares what it answers on success, and
//! what it answers matches the declared schema. A small validator of the JSON Schema subset the
//! document uses (it refuses any keyword it does not know, so nothing is passed over unchecked)
//! checks real answers: every GET route of the demonstration as many demo accounts see it, and
//! every API answer of the rest of this suite (see `Session::api`).

use crate::harness::*;
use std::collections::{BTreeMap, BTreeSet};
use std::sync::OnceLock;

/// The document as the server builds it (the same function serves it).
fn document() -> &'static Value {
    static DOC: OnceLock<Value> = OnceLock::new();
    DOC.get_or_init(web::openapi::document)
}

/// Keywords that only annotate.
const ANNOTATIONS: [&str; 4] = ["description", "title", "default", "examples"];

/// The schema a `$ref` names, within the document.
fn resolve<'a>(doc: &'a Value, reference: &str) -> Option<&'a Value> {
    reference.strip_prefix('#').and_then(|p| doc.pointer(p))
}

fn has_type(t: &str, v: &Value) -> bool {
    match t {
        "null" => v.is_null(),
        "boolean" => v.is_boolean(),
        "object" => v.is_object(),
        "array" => v.is_array(),
        "string" => v.is_string(),
        "number" => v.is_number(),
        "integer" => v.is_i64() || v.is_u64() || v.as_f64().is_some_and(|f| f.fract() == 0.0),
        _ => false,
    }
}

/// Whether `value` matches `schema`; the reasons it does not go to `errors`, each with where in
/// the value it was found.
fn check(doc: &Value, schema: &Value, value: &Value, at: &str, errors: &mut Vec<String>) {
    let obj = match schema {
        Value::Bool(true) => return,
        Value::Bool(false) => return errors.push(format!("{at}: nothing is allowed here")),
        Value::Object(o) => o,
        _ => return errors.push(format!("{at}: not a schema: {schema}")),
    };
    let mut fail = |why: String| errors.push(format!("{at}: {why}"));
    let mut sub: Vec<String> = Vec::new();
    for (key, arg) in obj {
        match key.as_str() {
            "$ref" => match arg.as_str().and_then(|r| resolve(doc, r)) {
                Some(target) => check(doc, target, value, at, &mut sub),
                None => fail(format!("unresolved $ref {arg}")),
            },
            "type" => {
                let types: Vec<&str> = match arg {
                    Value::String(t) => vec![t.as_str()],
                    Value::Array(ts) => ts.iter().filter_map(Value::as_str).collect(),
                    _ => Vec::new(),
                };
                if !types.iter().any(|t| has_type(t, value)) {
                    fail(format!("{value} is not of type {arg}"));
                }
            }
            "enum" => {
                if !arg.as_array().is_some_and(|a| a.contains(value)) {
                    fail(format!("{value} is not one of {arg}"));
                }
            }
            "const" => {
                if arg != value {
                    fail(format!("{value} is not {arg}"));
                }
            }
            "properties" => {
                if let (Some(props), Some(v)) = (arg.as_object(), value.as_object()) {
                    for (name, s) in props {
                        if let Some(x) = v.get(name) {
                            check(doc, s, x, &format!("{at}/{name}"), &mut sub);
                        }
                    }
                }
            }
            "required" => {
                if let (Some(names), Some(v)) = (arg.as_array(), value.as_object()) {
                    for name in names.iter().filter_map(Value::as_str) {
                        if !v.contains_key(name) {
                            fail(format!("required `{name}` is missing"));
                        }
                    }
                }
            }
            "additionalProperties" => {
                if let Some(v) = value.as_object() {
                    let known = obj.get("properties").and_then(Value::as_object);
                    for (name, x) in v {
                        if !known.is_some_and(|k| k.contains_key(name)) {
                            check(doc, arg, x, &format!("{at}/{name}"), &mut sub);
                        }
                    }
                }
            }
            "prefixItems" => {
                if let (Some(schemas), Some(v)) = (arg.as_array(), value.as_array()) {
                    for (i, (s, x)) in schemas.iter().zip(v).enumerate() {
                        check(doc, s, x, &format!("{at}/{i}"), &mut sub);
                    }
                }
            }
            "items" => {
                if let Some(v) = value.as_array() {
                    let skip = obj
                        .get("prefixItems")
                        .and_then(Value::as_array)
                        .map_or(0, Vec::len);
                    for (i, x) in v.iter().enumerate().skip(skip) {
                        check(doc, arg, x, &format!("{at}/{i}"), &mut sub);
                    }
                }
            }
            "minItems" | "maxItems" => {
                if let (Some(n), Some(v)) = (arg.as_u64(), value.as_array()) {
                    let len = v.len() as u64;
                    if (key == "minItems" && len < n) || (key == "maxItems" && len > n) {
                        fail(format!("{len} items breaks {key} {n}"));
                    }
                }
            }
            "minLength" | "maxLength" => {
                if let (Some(n), Some(s)) = (arg.as_u64(), value.as_str()) {
                    let len = s.chars().count() as u64;
                    if (key == "minLength" && len < n) || (key == "maxLength" && len > n) {
                        fail(format!("length {len} breaks {key} {n}"));
                    }
                }
            }
            "minimum" | "maximum" | "exclusiveMinimum" | "exclusiveMaximum" => {
                if let (Some(n), Some(x)) = (arg.as_f64(), value.as_f64()) {
                    let ok = match key.as_str() {
                        "minimum" => x >= n,
                        "maximum" => x <= n,
                        "exclusiveMinimum" => x > n,
                        _ => x < n,
                    };
                    if !ok {
                        fail(format!("{x} breaks {key} {n}"));
                    }
                }
            }
            "anyOf" | "oneOf" | "allOf" => {
                let branches = arg.as_array().cloned().unwrap_or_default();
                let passing = branches
                    .iter()
                    .filter(|s| {
                        let mut e = Vec::new();
                        check(doc, s, value, at, &mut e);
                        e.is_empty()
                    })
                    .count();
                let ok = match key.as_str() {
                    "anyOf" => passing > 0,
                    "oneOf" => passing == 1,
                    _ => passing == branches.len(),
                };
                if !ok {
                    fail(format!("{value} matches {passing} of the {key} branches"));
                }
            }
            "format" => {
                if let Some(s) = value.as_str() {
                    let ok = match arg.as_str() {
                        Some("date") => chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").is_ok(),
                        Some("date-time") => chrono::DateTime::parse_from_rfc3339(s).is_ok(),
                        _ => true,
                    };
                    if !ok {
                        fail(format!("{s:?} is not a {arg}"));
                    }
                }
            }
            k if ANNOTATIONS.contains(&k) => {}
            k => fail(format!("the validator does not know `{k}`")),
        }
    }
    errors.extend(sub);
}

/// The route template of the document that `path` (no query) is an instance of, preferring
/// literal segments (`/organizations/export` over `/organizations/{org_id}`).
fn template_of(doc: &Value, path: &str) -> Option<String> {
    let segments: Vec<&str> = path.split('/').collect();
    doc["paths"]
        .as_object()?
        .keys()
        .filter_map(|t| {
            let ts: Vec<&str> = t.split('/').collect();
            let fits = ts.len() == segments.len()
                && ts
                    .iter()
                    .zip(&segments)
                    .all(|(a, b)| a == b || (a.starts_with('{') && !b.is_empty()));
            fits.then(|| (ts.iter().filter(|s| !s.starts_with('{')).count(), t))
        })
        .max_by_key(|(literal, _)| *literal)
        .map(|(_, t)| t.clone())
}

/// Whether an answer of `method template` conforms to the document: a success has the declared
/// status and body (JSON matching its schema, a file of a declared type, or nothing); anything
/// else is a problem document.
fn conformity(
    doc: &Value,
    method: &str,
    template: &str,
    status: StatusCode,
    content_type: &str,
    body: &str,
) -> Result<(), String> {
    let responses = &doc["paths"][template][method]["responses"];
    if !responses.is_object() {
        return Err(format!("{method} {template} is not in the document"));
    }
    let declared = &responses[status.as_str()];
    let response = if status.is_success() {
        if !declared.is_object() {
            return Err(format!("answered {status}, which is not declared"));
        }
        declared
    } else {
        &responses["default"]
    };
    let media = content_type.split(';').next().unwrap_or("").trim();
    let Some(content) = response["content"].as_object() else {
        return if body.is_empty() {
            Ok(())
        } else {
            Err(format!(
                "{status} declares no body but has one: {body:.200}"
            ))
        };
    };
    let Some(described) = content.get(media) else {
        return Err(format!(
            "{status} answered {content_type:?}, not one of {:?}",
            content.keys()
        ));
    };
    if !media.ends_with("json") {
        return Ok(());
    }
    let value: Value =
        serde_json::from_str(body).map_err(|e| format!("{status} body is not JSON ({e})"))?;
    let mut errors = Vec::new();
    check(doc, &described["schema"], &value, "", &mut errors);
    if errors.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "{status} body does not match its schema:\n  {}",
            errors.join("\n  ")
        ))
    }
}

/// Fails the test when an API answer does not conform to the document (answers of paths and
/// methods the document does not list are not its business).
pub fn assert_conforms(
    method: &str,
    path: &str,
    status: StatusCode,
    content_type: &str,
    body: &str,
) {
    let doc = document();
    let path = path.split('?').next().unwrap_or(path);
    let Some(template) = template_of(doc, path) else {
        return;
    };
    if !doc["paths"][&template][method].is_object() {
        return;
    }
    if let Err(e) = conformity(doc, method, &template, status, content_type, body) {
        panic!("{} {path}: {e}", method.to_uppercase());
    }
}

/// Every keyword of `schema` and of the schemas inside it, to show that the validator knows
/// every keyword the document uses.
fn keywords(schema: &Value, out: &mut BTreeSet<String>) {
    let Some(obj) = schema.as_object() else {
        return;
    };
    for (key, arg) in obj {
        out.insert(key.clone());
        match key.as_str() {
            "properties" => arg
                .as_object()
                .into_iter()
                .flat_map(|m| m.values())
                .for_each(|s| keywords(s, out)),
            "anyOf" | "oneOf" | "allOf" | "prefixItems" => arg
                .as_array()
                .into_iter()
                .flatten()
                .for_each(|s| keywords(s, out)),
            "items" | "additionalProperties" => keywords(arg, out),
            _ => {}
        }
    }
}

/// Every `$ref` inside `v`.
fn refs<'a>(v: &'a Value, out: &mut Vec<&'a str>) {
    match v {
        Value::Object(o) => {
            if let Some(r) = o.get("$ref").and_then(Value::as_str) {
                out.push(r);
            }
            o.values().for_each(|x| refs(x, out));
        }
        Value::Array(a) => a.iter().for_each(|x| refs(x, out)),
        _ => {}
    }
}

#[test]
fn every_api_route_declares_a_real_success_answer() {
    let doc = document();
    let mut bare = Vec::new();
    for spec in web::routes::route_table().iter().filter(|s| s.is_api()) {
        let method = spec.method.as_str().to_lowercase();
        let route = format!("{} {}", spec.method, spec.path);
        let responses = doc["paths"][spec.path][&method]["responses"]
            .as_object()
            .unwrap_or_else(|| panic!("{route} has no responses"));
        let successes: Vec<(&String, &Value)> = responses
            .iter()
            .filter(|(s, _)| s.starts_with('2'))
            .collect();
        assert!(!successes.is_empty(), "{route} declares no success");
        for (status, response) in successes {
            for (media, m) in response["content"].as_object().into_iter().flatten() {
                let schema = &m["schema"];
                let target = schema["$ref"]
                    .as_str()
                    .map(|r| resolve(doc, r).unwrap_or_else(|| panic!("{route}: {r} unresolved")))
                    .unwrap_or(schema);
                if media.ends_with("json") {
                    if *schema == json!({ "type": "object" })
                        || *target == json!({ "type": "object" })
                        || target.as_object().is_none_or(|o| o.is_empty())
                    {
                        bare.push(format!("{route} {status} {media}"));
                    }
                } else {
                    assert_eq!(
                        *schema,
                        json!({ "type": "string", "format": "binary" }),
                        "{route} {status} {media}"
                    );
                }
            }
            if status == "204" {
                assert!(
                    response.get("content").is_none(),
                    "{route}: 204 with content"
                );
            }
        }
    }
    assert!(bare.is_empty(), "answers without a real schema: {bare:#?}");

    let mut all = Vec::new();
    refs(doc, &mut all);
    let broken: Vec<&&str> = all.iter().filter(|r| resolve(doc, r).is_none()).collect();
    assert!(broken.is_empty(), "unresolved: {broken:?}");

    let mut used = BTreeSet::new();
    for schema in doc["components"]["schemas"].as_object().unwrap().values() {
        keywords(schema, &mut used);
    }
    let known = [
        "$ref",
        "type",
        "enum",
        "const",
        "properties",
        "required",
        "additionalProperties",
        "prefixItems",
        "items",
        "minItems",
        "maxItems",
        "minLength",
        "maxLength",
        "minimum",
        "maximum",
        "exclusiveMinimum",
        "exclusiveMaximum",
        "anyOf",
        "oneOf",
        "allOf",
        "format",
    ];
    let unknown: Vec<&String> = used
        .iter()
        .filter(|k| !known.contains(&k.as_str()) && !ANNOTATIONS.contains(&k.as_str()))
        .collect();
    assert!(
        unknown.is_empty(),
        "keywords the validator does not check: {unknown:?}"
    );
}

#[test]
fn the_validator_refuses_what_does_not_match() {
    let doc = json!({ "components": { "schemas": {
        "Row": { "type": "object", "properties": {
            "n": { "type": "integer", "minimum": 0 }, "s": { "type": ["string", "null"] },
            "e": { "type": "string", "enum": ["a", "b"] },
            "d": { "type": "string", "format": "date" },
            "t": { "type": "array", "prefixItems": [{ "type": "string" }, { "type": "integer" }], "minItems": 2, "maxItems": 2 },
            "o": { "anyOf": [{ "$ref": "#/components/schemas/Row" }, { "type": "null" }] }
        }, "required": ["n", "s"] }
    } } });
    let row = json!({ "$ref": "#/components/schemas/Row" });
    let errors = |v: Value| {
        let mut e = Vec::new();
        check(&doc, &row, &v, "", &mut e);
        e
    };
    assert!(errors(json!({ "n": 1, "s": null, "e": "a", "d": "2025-03-01", "t": ["x", 2], "o": { "n": 0, "s": "x" } })).is_empty());
    for bad in [
        json!({ "s": null }),
        json!({ "n": -1, "s": null }),
        json!({ "n": 1.5, "s": null }),
        json!({ "n": 1, "s": 3 }),
        json!({ "n": 1, "s": null, "e": "c" }),
        json!({ "n": 1, "s": null, "d": "2025-13-01" }),
        json!({ "n": 1, "s": null, "t": ["x", "y"] }),
        json!({ "n": 1, "s": null, "t": ["x"] }),
        json!({ "n": 1, "s": null, "o": { "n": "1", "s": null } }),
        json!([]),
    ] {
        assert!(!errors(bad.clone()).is_empty(), "{bad} passed");
    }
    let mut e = Vec::new();
    check(&doc, &json!({ "pattern": "^a$" }), &json!("b"), "", &mut e);
    assert!(!e.is_empty(), "an unknown keyword is not passed over");
}

/// Ids of `field` in the items at `list` of the answer to `path`, as `s` sees them.
async fn ids(s: &Session, path: &str, list: &str, limit: usize) -> Vec<String> {
    let (st, _, body) = s.api(reqwest::Method::GET, path, None).await;
    if !st.is_success() {
        return Vec::new();
    }
    let v: Value = serde_json::from_str(&body).unwrap();
    v.pointer(list)
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|i| i["id"].as_str().map(str::to_string))
        .take(limit)
        .collect()
}

/// The values to try for each path parameter, as `s` sees the demonstration.
async fn parameters(s: &Session, cert_code: &str) -> BTreeMap<&'static str, Vec<String>> {
    let mut p = BTreeMap::new();
    // Every project and call: their answers differ most with their stage.
    for (param, path, list, limit) in [
        ("user_id", "/api/v1/users", "/items", 4),
        ("org_id", "/api/v1/organizations?limit=4", "/items", 4),
        ("platform_id", "/api/v1/platforms", "/items", 4),
        ("worker_id", "/api/v1/social-workers", "/items", 4),
        ("talent_id", "/api/v1/talents", "/items", 4),
        ("need_id", "/api/v1/needs?status=all", "/items", 6),
        ("item_id", "/api/v1/catalogue", "/items", 6),
        ("project_id", "/api/v1/projects", "/items", usize::MAX),
        (
            "consultation_id",
            "/api/v1/consultations",
            "/items",
            usize::MAX,
        ),
        ("call_id", "/api/v1/calls", "/items", usize::MAX),
        ("vote_id", "/api/v1/votes", "/items", usize::MAX),
        ("volunteer_id", "/api/v1/volunteers", "/items", 4),
    ] {
        p.insert(param, ids(s, path, list, limit).await);
    }
    // Posts are read through their platforms.
    let mut posts = Vec::new();
    for platform in &p["platform_id"] {
        let (st, _, body) = s
            .api(
                reqwest::Method::GET,
                &format!("/api/v1/platforms/{platform}"),
                None,
            )
            .await;
        if st == StatusCode::OK {
            let v: Value = serde_json::from_str(&body).unwrap();
            for post in v["posts"].as_array().into_iter().flatten().take(2) {
                posts.push(post["id"].as_str().unwrap().to_string());
            }
        }
    }
    p.insert("post_id", posts);
    let codes = [
        "nation",
        "34",
        "3410",
        "341002",
        "341002002",
        "341002002001",
    ];
    p.insert("code", codes.map(str::to_string).to_vec());
    p.insert("cert_code", vec![cert_code.to_string()]);
    p
}

/// A certificate issued over the API for a demonstration volunteer with records.
async fn certificate(t: &TestApp) -> String {
    let s = t.login("community").await;
    for v in ids(&s, "/api/v1/volunteers", "/items", usize::MAX).await {
        let (st, _, body) = s
            .api(
                reqwest::Method::POST,
                &format!("/api/v1/volunteers/{v}/certificates"),
                None,
            )
            .await;
        if st == StatusCode::CREATED {
            let v: Value = serde_json::from_str(&body).unwrap();
            return v["code"].as_str().unwrap().to_string();
        }
    }
    panic!("no demonstration volunteer could get a certificate");
}

/// Every GET route of the API, called by many demonstration accounts on real ids, answers what
/// the served document says; and each answers a success to someone.
#[tokio::test]
async fn every_get_answer_of_the_demonstration_matches_the_served_schema() {
    let t = spawn_app().await;
    t.app.seed_demo_ledger().await.unwrap();
    let served: Value = client()
        .get(format!("{}/api/openapi.json", t.base))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let cert_code = certificate(&t).await;
    let gets: Vec<&'static str> = web::routes::route_table()
        .iter()
        .filter(|s| s.is_api() && s.method == reqwest::Method::GET)
        .map(|s| s.path)
        .collect();
    let mut answered: BTreeSet<&str> = BTreeSet::new();
    let mut failures = Vec::new();
    let mut calls = 0;
    for login in [
        "admin",
        "city",
        "tunxi",
        "township",
        "community",
        "orgmanager",
        "volunteer",
        "resident",
        "representative",
        "evaluator",
    ] {
        let s = t.login(login).await;
        let params = parameters(&s, &cert_code).await;
        for template in &gets {
            // Each combination of the values of the template's parameters (at most one here).
            let mut paths = vec![template.to_string()];
            for name in web::routes::route_table()
                .iter()
                .find(|r| r.path == *template)
                .unwrap()
                .params()
            {
                let values = &params[name];
                paths = paths
                    .iter()
                    .flat_map(|p| {
                        values
                            .iter()
                            .map(move |v| p.replace(&format!("{{{name}}}"), v))
                    })
                    .collect();
            }
            for path in paths {
                // Straight through the client: this test gathers every failure, not just the first.
                let r = s.c.get(format!("{}{path}", s.base)).send().await.unwrap();
                let status = r.status();
                let ct = r
                    .headers()
                    .get("content-type")
                    .map(|v| v.to_str().unwrap().to_string())
                    .unwrap_or_default();
                let body = r.text().await.unwrap();
                calls += 1;
                match conformity(&served, "get", template, status, &ct, &body) {
                    Ok(()) if status.is_success() => {
                        answered.insert(template);
                    }
                    Ok(()) => {}
                    Err(e) => failures.push(format!("{login} GET {path}: {e}")),
                }
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {calls} answers do not conform:\n{}",
        failures.len(),
        failures.join("\n")
    );
    let silent: Vec<&&str> = gets.iter().filter(|g| !answered.contains(**g)).collect();
    assert!(silent.is_empty(), "never answered a success: {silent:?}");
    assert_eq!(
        served,
        *document(),
        "the served document is the one the suite checks against"
    );
}
