//! Frozen records refuse later rows as well as changes, whatever route writes, on both backends
//! (issue 16, finding 7): a meeting's roster, a contract's tranches, a signed review group's
//! members, and a fund's balance without its movement. (A call's panel: in `calls`.)

use crate::harness::*;

#[tokio::test]
async fn a_roster_and_a_contracts_tranches_take_no_row_after_they_are_made() {
    let t = spawn_app().await;
    let project = contracted_project(&t).await;
    assert!(
        frozen_refuses(
            &t,
            &format!("INSERT INTO tranches (tenant_id, project_id, seq, milestone, amount_fen) VALUES ('3410', '{project}', 9, 'on_signing', 100)")
        )
        .await,
        "a tranche added to a signed contract"
    );
    let org = t
        .app
        .create_organization(
            &officer(Role::TownshipOfficer, "341002002"),
            &filed_org("跃进路社区书画社", "341002002002"),
            &Ctx::default(),
        )
        .await
        .unwrap()
        .id;
    let (item, eligibility) = item_with_eligibility(&t, "341002002002", "341002002", &org).await;
    let draft = project_on(&t, &item, &eligibility, &org, "341002002002").await;
    let meeting = vote_on(&t, &draft, "341002002002").await;
    assert!(
        frozen_refuses(
            &t,
            &format!("INSERT INTO vote_roster (tenant_id, meeting_id, user_id, display_name) VALUES ('3410', '{meeting}', 'latecomer', '迟到者')")
        )
        .await,
        "a representative added to an opened meeting"
    );
}

#[tokio::test]
async fn a_funds_balance_moves_only_with_the_movement_that_explains_it() {
    let t = spawn_app().await;
    let project = contracted_project(&t).await;
    let (fund, balance, last): (String, i64, String) = store::on_pool!(&t.db, c => {
        sqlx::query_as(
            "SELECT f.id, f.balance_fen, f.last_movement_id FROM funds f \
             JOIN fund_movements m ON m.tenant_id = f.tenant_id AND m.fund_id = f.id WHERE m.project_id = $1",
        )
        .bind(&project).fetch_one(c).await.unwrap()
    });
    // Rewritten alone, or naming the movement it already named: refused.
    for sql in [
        format!("UPDATE funds SET balance_fen = balance_fen + 100000 WHERE id = '{fund}'"),
        format!("UPDATE funds SET balance_fen = balance_fen + 100000, last_movement_id = '{last}' WHERE id = '{fund}'"),
    ] {
        assert!(frozen_refuses(&t, &sql).await, "{sql}");
    }
    // Naming a movement that does not say so: refused.
    store::on_pool!(&t.db, c => {
        sqlx::query(
            "INSERT INTO fund_movements (tenant_id, id, fund_id, project_id, kind, amount_fen, balance_after, by_user, at) \
             VALUES ('3410', 'm-small', $1, NULL, 'call_return', 1, $2, 'x', '2026-01-01T00:00:00Z')",
        )
        .bind(&fund).bind(balance + 1).execute(c).await.unwrap();
    });
    assert!(
        frozen_refuses(
            &t,
            &format!("UPDATE funds SET balance_fen = balance_fen + 100000, last_movement_id = 'm-small' WHERE id = '{fund}'")
        )
        .await
    );
    // And the one that does moves it.
    store::on_pool!(&t.db, c => {
        sqlx::query(&format!("UPDATE funds SET balance_fen = balance_fen + 1, last_movement_id = 'm-small' WHERE id = '{fund}'"))
            .execute(c).await.unwrap();
    });
    // Every fund's balance is the sum of its movements.
    let off: i64 = store::on_pool!(&t.db, c => {
        sqlx::query_scalar(
            "SELECT COUNT(*) FROM funds f WHERE f.balance_fen <> \
             (SELECT COALESCE(SUM(m.amount_fen), 0) FROM fund_movements m WHERE m.tenant_id = f.tenant_id AND m.fund_id = f.id)",
        )
        .fetch_one(c).await.unwrap()
    });
    assert_eq!(off, 0);
}
