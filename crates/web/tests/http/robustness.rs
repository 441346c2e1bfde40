//! The service under hostile load and faults (issue 12): clients that vanish mid-write, requests
//! cut off by the timeout, floods of logins, killer files, idle sockets.

use super::*;
use rand::Rng;
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// A personal access token for a demonstration login, made through the use case.
async fn token_for(t: &TestApp, login: &str) -> String {
    let actor = t.actor(login).await;
    t.app
        .create_token(&actor, "robustness", &Ctx::default())
        .await
        .unwrap()
        .token
}

/// The bytes of one JSON request with a bearer token.
fn raw_request(method: &str, path: &str, token: &str, body: &str) -> Vec<u8> {
    format!(
        "{method} {path} HTTP/1.1\r\nHost: test\r\nAuthorization: Bearer {token}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .into_bytes()
}

fn need_body(i: usize) -> String {
    json!({
        "community": "341002002001",
        "priority_group": "special_elderly",
        "channel": "online",
        "title": format!("断线测试需求 {i}"),
        "description": "客户端在写入途中断开连接，服务必须照常工作。",
    })
    .to_string()
}

/// Sends `request` and hangs up after `wait` (maybe before the answer).
async fn send_and_vanish(addr: &str, request: Vec<u8>, wait: Duration) {
    let Ok(mut s) = TcpStream::connect(addr).await else {
        return;
    };
    let _ = s.write_all(&request).await;
    tokio::time::sleep(wait).await;
    // Dropping the socket closes it: the server sees the client go mid-request.
    drop(s);
}

/// Thousands of clients hang up while their writes are under way, and a tenth of the requests are
/// cut off by a 1 ms request timeout on a second server over the same database; afterwards the
/// database takes writes at once, and readiness says so.
#[tokio::test]
async fn clients_that_vanish_mid_write_leave_no_transaction_open() {
    let t = spawn_app().await;
    let token = token_for(&t, "resident").await;
    let impatient = {
        let config = web::WebConfig {
            bind: "127.0.0.1:0".into(),
            request_timeout: Duration::from_millis(1),
            ..web::WebConfig::default()
        };
        let server = web::Application::build(t.app.clone(), config)
            .await
            .unwrap();
        let addr = format!("127.0.0.1:{}", server.port());
        tokio::spawn(server.run_until(std::future::pending()));
        addr
    };
    let patient = t.base.trim_start_matches("http://").to_string();
    let started = Instant::now();
    let total = 6_000;
    let mut tasks = tokio::task::JoinSet::new();
    for i in 0..total {
        let addr = if i % 10 == 0 {
            impatient.clone()
        } else {
            patient.clone()
        };
        let req = raw_request("POST", "/api/v1/needs", &token, &need_body(i));
        let wait = Duration::from_micros(rand::thread_rng().gen_range(0..3_000));
        tasks.spawn(send_and_vanish_owned(addr, req, wait));
        while tasks.len() >= 12 {
            tasks.join_next().await;
        }
    }
    while tasks.join_next().await.is_some() {}
    let written =
        t.db.count_needs(&t.actor("community").await.scope(), &Default::default())
            .await
            .unwrap();
    eprintln!(
        "{total} vanishing writers in {:?}; {written} needs written",
        started.elapsed()
    );
    // The handlers they started run to their end (each holds a place until then); once they
    // have, nothing they left behind may stop the next writer.
    let c = client();
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let ready = c.get(format!("{}/readyz", t.base)).send().await;
        if ready.is_ok_and(|r| r.status() == StatusCode::OK) || Instant::now() > deadline {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let started = Instant::now();
    let r = tokio::time::timeout(
        Duration::from_secs(5),
        c.post(format!("{}/api/v1/needs", t.base))
            .bearer_auth(&token)
            .header("content-type", "application/json")
            .body(need_body(total + 1))
            .send(),
    )
    .await
    .expect("a write after the disconnects hung")
    .unwrap();
    let status = r.status();
    let body = r.text().await.unwrap();
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "the write waited {:?}",
        started.elapsed()
    );
    let ready = c.get(format!("{}/readyz", t.base)).send().await.unwrap();
    assert_eq!(ready.status(), StatusCode::OK);
    // And every pooled connection can still begin a write (none was left inside a transaction).
    for _ in 0..16 {
        let tx = tokio::time::timeout(Duration::from_secs(2), t.db.begin())
            .await
            .expect("begin hung")
            .unwrap();
        tx.rollback().await.unwrap();
    }
}

async fn send_and_vanish_owned(addr: String, req: Vec<u8>, wait: Duration) {
    send_and_vanish(&addr, req, wait).await
}

#[allow(dead_code)]
async fn read_all(s: &mut TcpStream) -> Vec<u8> {
    let mut out = Vec::new();
    let _ = s.read_to_end(&mut out).await;
    out
}
