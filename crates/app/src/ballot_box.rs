//! The ballot box: ballots cast at the same moment are written together, in one transaction.
//!
//! Why: every write on SQLite is serialized, and a ballot alone costs a transaction's begin and
//! commit and four audit statements besides its own two. When a room of representatives votes at
//! once, the ballots waiting are taken together: each is still checked by the rules
//! (`domain::chain::vote`) against what the transaction sees, including the ballots before it in
//! the same batch, each gets its own answer and its own audit event (chained in order), and the
//! batch commits once. A ballot alone is a batch of one. If the batch's transaction fails, every
//! ballot in it fails and none is stored.
//!
//! In the same transaction: a voter with an interest in the application now is recused and the
//! recusal recorded (issue 14: recusal is decided when the ballot is cast), and a motion's first
//! accepted ballot gives it its own attendance, before the ballot is written (the database
//! refuses a ballot from someone not present for the motion).

use crate::AppError;
use domain::audit::AuditRecord;
use domain::chain::vote::{Choice, Meeting, Motion, PaperCount, RecusalReason, VoteRules};
use domain::DomainError;
use serde_json::json;
use std::collections::{BTreeMap, BTreeSet};
use std::sync::OnceLock;
use store::{time, Db};
use tokio::sync::{mpsc, oneshot};

/// The most ballots written in one transaction.
const BATCH: usize = 256;

pub(crate) struct Ballot {
    pub tenant: String,
    pub meeting: String,
    pub project: String,
    pub user: String,
    pub choice: Choice,
    pub rules: VoteRules,
    /// The event to chain if the ballot is accepted.
    pub audit: AuditRecord,
    /// The event to chain if the voter is found to have an interest and is recused now.
    pub recusal_audit: AuditRecord,
}

type Reply = oneshot::Sender<Result<(), AppError>>;

#[derive(Debug, Default)]
pub(crate) struct BallotBox {
    sender: OnceLock<mpsc::UnboundedSender<(Ballot, Reply)>>,
}

impl BallotBox {
    /// Casts one ballot: `Ok` when stored, the rule that refused it, or the store's failure.
    pub(crate) async fn cast(&self, db: &Db, ballot: Ballot) -> Result<(), AppError> {
        let tx = self.sender.get_or_init(|| {
            let (tx, rx) = mpsc::unbounded_channel();
            tokio::spawn(run(db.clone(), rx));
            tx
        });
        let (reply, answer) = oneshot::channel();
        tx.send((ballot, reply))
            .map_err(|_| AppError::Internal("投票箱已关闭".into()))?;
        answer
            .await
            .map_err(|_| AppError::Internal("投票箱未作答".into()))?
    }
}

async fn run(db: Db, mut rx: mpsc::UnboundedReceiver<(Ballot, Reply)>) {
    while let Some(first) = rx.recv().await {
        let mut batch = vec![first];
        while batch.len() < BATCH {
            match rx.try_recv() {
                Ok(b) => batch.push(b),
                Err(_) => break,
            }
        }
        let (ballots, replies): (Vec<Ballot>, Vec<Reply>) = batch.into_iter().unzip();
        match write(&db, &ballots).await {
            Ok(verdicts) => {
                for (reply, v) in replies.into_iter().zip(verdicts) {
                    let _ = reply.send(v.map_err(AppError::from));
                }
            }
            Err(e) => {
                let message = e.to_string();
                for reply in replies {
                    let _ = reply.send(Err(AppError::Internal(message.clone())));
                }
            }
        }
    }
}

/// The rules asked with exactly this person's facts as the transaction sees them, and their
/// interest in the application now: `Ok` to store the ballot, or the refusal together with a
/// recusal to record (a voter with an interest is recused when they ask to vote).
fn check(
    b: &Ballot,
    st: &store::chain::vote::VoterState,
    interest: Option<RecusalReason>,
) -> (Result<(), DomainError>, Option<RecusalReason>) {
    let one = |yes: bool| -> BTreeSet<String> {
        if yes {
            BTreeSet::from([b.user.clone()])
        } else {
            BTreeSet::new()
        }
    };
    let meeting = Meeting {
        roster: one(st.on_roster),
        rules: b.rules,
        present: one(st.present),
    };
    let mut motion = Motion {
        present: st.started.then(|| one(st.present_for_motion)),
        recused: st
            .recusal
            .map(|r| (b.user.clone(), r))
            .into_iter()
            .collect(),
        ballots: if st.already {
            BTreeMap::from([(b.user.clone(), Choice::Abstain)])
        } else {
            BTreeMap::new()
        },
        paper: st.paper.then(|| PaperCount {
            yes: 0,
            no: 0,
            abstain: 0,
            counter: String::new(),
        }),
        sealed: st.sealed,
    };
    let recusal = meeting.recusal_at_ballot(&motion, &b.user, interest);
    (
        meeting.cast(&mut motion, &b.user, b.choice, interest),
        recusal,
    )
}

async fn write(
    db: &Db,
    batch: &[Ballot],
) -> Result<Vec<Result<(), DomainError>>, store::StoreError> {
    let now = time::now();
    let mut tx = db.begin().await?;
    let mut verdicts = Vec::with_capacity(batch.len());
    let mut events: BTreeMap<&str, Vec<AuditRecord>> = BTreeMap::new();
    for b in batch {
        let st = tx
            .voter_state(&b.tenant, &b.meeting, &b.project, &b.user)
            .await?;
        if !st.motion_exists {
            verdicts.push(Err(DomainError::conflict(
                "no_motion",
                "本次会议没有这一表决事项",
            )));
            continue;
        }
        // The voter's interest as it is now, read with the rest of their state.
        let (verdict, recusal) = check(b, &st, st.interest);
        if let Some(reason) = recusal {
            tx.record_recusals(
                &b.tenant,
                &b.meeting,
                &b.project,
                &[(b.user.clone(), reason)],
                &now,
            )
            .await?;
            events.entry(&b.tenant).or_default().push(
                b.recusal_audit
                    .clone()
                    .after(json!({ "project_id": b.project, "user_id": b.user, "reason": reason })),
            );
        }
        let verdict = match verdict {
            Err(e) => Err(e),
            Ok(()) => {
                if !st.started {
                    tx.take_motion_attendance(&b.tenant, &b.meeting, &b.project, &now)
                        .await?;
                }
                if tx
                    .cast_ballot(&b.tenant, &b.meeting, &b.project, &b.user, b.choice, &now)
                    .await?
                {
                    events.entry(&b.tenant).or_default().push(b.audit.clone());
                    Ok(())
                } else {
                    Err(DomainError::conflict(
                        "already_voted",
                        "您已对本项投过票，每人只能投一次",
                    ))
                }
            }
        };
        verdicts.push(verdict);
    }
    for (tenant, records) in events {
        tx.append_audit_many(tenant, records).await?;
    }
    tx.commit().await?;
    Ok(verdicts)
}
