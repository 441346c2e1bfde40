//! What a representatives' meeting shows: the roster and attendance, each motion's state, and a
//! motion's result only once it is sealed (issue 14: no count of an open motion leaves the
//! server).

use super::{meeting_of, motion_state};
use crate::{App, AppError, Ctx};
use domain::audit::EventKind;
use domain::chain::committee::may_chair_vote;
use domain::chain::vote::{Meeting, Motion, RecusalReason, Tally};
use domain::Actor;
use schemars::JsonSchema;
use serde::Serialize;
use std::collections::BTreeMap;
use store::chain::vote::{MotionRow, MotionSnapshot, RosterRow, VoteMeetingRow};

/// A sealed motion's announced result: the counts, who was entitled to vote, and who was recused
/// and why.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct MotionResult {
    pub tally: Tally,
    /// Names of the representatives present for the motion and entitled to vote on it.
    pub entitled_voters: Vec<String>,
    /// (name, reason) of each recused representative present for the motion.
    pub recusals: Vec<(String, RecusalReason)>,
}

#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct MotionView {
    #[serde(flatten)]
    pub motion: MotionRow,
    /// Whether the motion has taken its own attendance (its first ballot or paper count): from
    /// then on a departure from the meeting does not change who is present for it.
    pub started: bool,
    /// (name, reason) of each recusal recorded so far.
    pub recused: Vec<(String, RecusalReason)>,
    /// The announced result, once sealed; nothing is counted aloud before.
    pub result: Option<MotionResult>,
    /// Whether the reader may vote on it now, or why not.
    pub my_ballot: Result<(), String>,
}

#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct VoteMeetingDetail {
    pub meeting: VoteMeetingRow,
    pub roster: Vec<RosterRow>,
    /// Present at the meeting now.
    pub present: usize,
    /// Whether those present now would make a quorum of the roster (a hint: the quorum that
    /// decides is each motion's, on those present for it and entitled to vote on it).
    pub quorum_met: bool,
    /// Every motion is sealed: the meeting's attendance is closed.
    pub closed: bool,
    pub motions: Vec<MotionView>,
    /// The reader chairs (the community committee): attendance, paper counts, sealing.
    pub can_chair: bool,
    pub rules_zh: String,
}

/// The result to announce: the sealed tally with the names behind it.
pub(super) fn announced(
    meeting: &Meeting,
    motion: &Motion,
    tally: Tally,
    name: &dyn Fn(&str) -> String,
) -> MotionResult {
    let present = meeting.present_for(motion);
    MotionResult {
        tally,
        entitled_voters: meeting.entitled(motion).iter().map(|u| name(u)).collect(),
        recusals: motion
            .recused
            .iter()
            .filter(|(u, _)| present.contains(*u))
            .map(|(u, r)| (name(u), *r))
            .collect(),
    }
}

impl App {
    pub async fn vote_meeting_detail(
        &self,
        actor: &Actor,
        id: &str,
        ctx: &Ctx,
    ) -> Result<VoteMeetingDetail, AppError> {
        let m = self
            .readable_vote_meeting(actor, id, EventKind::VoteView, ctx)
            .await?;
        let roster = self.db.roster(&m.tenant_id, id).await?;
        let recused = self.db.recusals(&m.tenant_id, id).await?;
        let attendance = self.db.motion_attendance(&m.tenant_id, id).await?;
        let names: BTreeMap<String, String> = roster
            .iter()
            .map(|r| (r.user_id.clone(), r.display_name.clone()))
            .collect();
        let name = |u: &str| names.get(u).cloned().unwrap_or_default();
        let mut motions = Vec::new();
        for (_, row) in self.db.motions(&m.tenant_id, Some(id), None).await? {
            let started = row.paper.is_some()
                || row.sealed_at.is_some()
                || attendance.iter().any(|(p, _)| *p == row.project_id);
            let snap = MotionSnapshot {
                ballots: self.db.ballots(&m.tenant_id, id, &row.project_id).await?,
                roster: roster.clone(),
                recusals: recused.clone(),
                attendance: started.then(|| {
                    attendance
                        .iter()
                        .filter(|(p, _)| *p == row.project_id)
                        .map(|(_, u)| u.clone())
                        .collect()
                }),
                motion: row,
            };
            let (meeting, motion) = motion_state(&m, &snap);
            let row = snap.motion;
            // Only a sealed motion's count is read out: the stored tally, never one computed now.
            let result = row
                .tally
                .map(|tally| announced(&meeting, &motion, tally, &name));
            motions.push(MotionView {
                started,
                recused: motion.recused.iter().map(|(u, r)| (name(u), *r)).collect(),
                result,
                my_ballot: meeting
                    .check_ballot(&motion, &actor.user_id)
                    .map_err(|e| e.to_string()),
                motion: row,
            });
        }
        let meeting = meeting_of(&m, &roster);
        Ok(VoteMeetingDetail {
            present: meeting.present.len(),
            quorum_met: meeting.quorum_met(),
            closed: !motions.is_empty() && motions.iter().all(|v| v.motion.sealed_at.is_some()),
            can_chair: may_chair_vote(actor, &m.community).is_ok(),
            rules_zh: format!(
                "法定人数：每项表决出席且有表决权的代表达到名册{}；通过：出席该项且有表决权的代表{}同意",
                m.rules.quorum.zh(),
                m.rules.pass.zh()
            ),
            roster,
            motions,
            meeting: m,
        })
    }
}
