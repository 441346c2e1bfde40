//! The stages of a service-purchase project, from application to final payment (the seven steps
//! of YQ 一(三), MECHANISM §4), and the only transitions between them. A refused transition
//! names, in Chinese, the condition that is missing.

use crate::{labelled, DomainError};

labelled! {
    /// Where a service-purchase project is in the seven steps, from draft application to closing.
    pub enum Stage {
        Draft = ("draft", "申请书起草中"),
        Submitted = ("submitted", "已提交，待恳谈"),
        Consulted = ("consulted", "已恳谈"),
        Voting = ("voting", "居民代表会议表决中"),
        Passed = ("passed", "表决通过，待街道决定"),
        Rejected = ("rejected", "表决未通过"),
        Purchased = ("purchased", "已决定购买，待签约"),
        Declined = ("declined", "街道决定不予购买"),
        Contracted = ("contracted", "已签约"),
        Delivering = ("delivering", "实施中"),
        SelfEvaluated = ("self_evaluated", "已自评，待评议"),
        UnderReview = ("under_review", "评议中"),
        Accepted = ("accepted", "验收通过"),
        AcceptedWithConditions = ("accepted_with_conditions", "有条件通过"),
        NotAccepted = ("not_accepted", "验收不通过，待定整改期限"),
        Rectifying = ("rectifying", "整改中"),
        Rectified = ("rectified", "已整改，待复评"),
        ReAccepted = ("re_accepted", "复评通过"),
        Closed = ("closed", "已结项"),
        Terminated = ("terminated", "已终止"),
    }
}

labelled! {
    /// The written verdict of the review panel's report.
    pub enum Verdict {
        Accepted = ("accepted", "验收通过"),
        AcceptedWithConditions = ("accepted_with_conditions", "有条件通过"),
        NotAccepted = ("not_accepted", "验收不通过"),
    }
}

impl Verdict {
    /// Whether the verdict can release the final tranche (a conditional pass does only once its
    /// conditions are recorded as met by the review group: `milestone::payable`; not accepted
    /// holds it).
    pub fn releases_final_payment(self) -> bool {
        !matches!(self, Verdict::NotAccepted)
    }
}

/// What happens to a project.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Event {
    Submit,
    /// The minutes of a consultation meeting that discussed it were frozen.
    Consult,
    OpenVote,
    SealVote {
        passed: bool,
    },
    Decide {
        buy: bool,
    },
    Sign,
    /// The first activity was recorded.
    Deliver,
    SelfEvaluate,
    FormPanel,
    Review(Verdict),
    PayFinal,
    /// The purchaser sets the rectification period after "not accepted" (issue 16).
    OpenRectification,
    /// The organization records its rectification within the period.
    Rectify,
    /// The review group's one re-review after the rectification.
    ReReview {
        accepted: bool,
    },
    /// The purchaser ends the project: before signing (the purchase decision withdrawn),
    /// during delivery (the contract terminated), or when the rectification period passed
    /// unused. The unpaid money returns to its fund.
    Terminate,
}

impl Stage {
    /// Whether the application text may still be revised (a new version): until the vote opens.
    pub fn revisable(self) -> bool {
        matches!(self, Stage::Draft | Stage::Submitted | Stage::Consulted)
    }

    /// Whether the project has got as far as `s` in the order of `Stage::ALL` (a branch's end
    /// — rejected, declined — counts as past what came before it). Readers use it to skip
    /// looking for records that cannot exist yet.
    pub fn reached(self, s: Stage) -> bool {
        let at = |x: Stage| Stage::ALL.iter().position(|y| *y == x).unwrap_or(0);
        at(self) >= at(s)
    }

    /// Whether the township decided to buy the project (it is at 已决定购买 or anywhere after
    /// it on the buying branch): the needs it answers are answered.
    pub fn is_bought(self) -> bool {
        matches!(
            self,
            Stage::Purchased
                | Stage::Contracted
                | Stage::Delivering
                | Stage::SelfEvaluated
                | Stage::UnderReview
                | Stage::Accepted
                | Stage::AcceptedWithConditions
                | Stage::NotAccepted
                | Stage::Rectifying
                | Stage::Rectified
                | Stage::ReAccepted
                | Stage::Closed
                | Stage::Terminated
        )
    }

    /// Whether the project failed and so no longer holds its catalogue item in its period (表决
    /// 未通过, 不予购买, 已终止 — a project not accepted is still rectifying and holds it until it
    /// is terminated): the item is open to an application again. Every other stage
    /// — live, bought or closed — holds it. The partial unique index `projects_item_taken`
    /// (migration 0028) lists the same stages; a new failed stage belongs in both.
    pub fn leaves_item_open(self) -> bool {
        matches!(self, Stage::Rejected | Stage::Declined | Stage::Terminated)
    }

    /// Whether the project is finished one way or another.
    pub fn terminal(self) -> bool {
        matches!(
            self,
            Stage::Rejected | Stage::Declined | Stage::Closed | Stage::Terminated
        )
    }

    /// The stage after `event`, or why the event cannot happen now (nothing changes).
    pub fn next(self, event: Event) -> Result<Stage, DomainError> {
        use Stage as S;
        match (self, event) {
            (S::Draft, Event::Submit) => Ok(S::Submitted),
            (S::Submitted | S::Consulted, Event::Consult) => Ok(S::Consulted),
            (S::Consulted, Event::OpenVote) => Ok(S::Voting),
            (S::Voting, Event::SealVote { passed }) => {
                Ok(if passed { S::Passed } else { S::Rejected })
            }
            (S::Passed, Event::Decide { buy }) => Ok(if buy { S::Purchased } else { S::Declined }),
            (S::Purchased, Event::Sign) => Ok(S::Contracted),
            (S::Contracted | S::Delivering, Event::Deliver) => Ok(S::Delivering),
            (S::Delivering, Event::SelfEvaluate) => Ok(S::SelfEvaluated),
            (S::SelfEvaluated, Event::FormPanel) => Ok(S::UnderReview),
            (S::UnderReview, Event::Review(v)) => Ok(match v {
                Verdict::Accepted => S::Accepted,
                Verdict::AcceptedWithConditions => S::AcceptedWithConditions,
                Verdict::NotAccepted => S::NotAccepted,
            }),
            (S::Accepted | S::AcceptedWithConditions | S::ReAccepted, Event::PayFinal) => {
                Ok(S::Closed)
            }
            (S::NotAccepted, Event::OpenRectification) => Ok(S::Rectifying),
            (S::Rectifying, Event::Rectify) => Ok(S::Rectified),
            (S::Rectified, Event::ReReview { accepted }) => Ok(if accepted {
                S::ReAccepted
            } else {
                S::Terminated
            }),
            // Whether the rectification period has passed is `termination::may_terminate`'s.
            (S::Purchased | S::Contracted | S::Delivering | S::Rectifying, Event::Terminate) => {
                Ok(S::Terminated)
            }
            (s, _) if s.terminal() => Err(DomainError::conflict(
                "project_finished",
                format!("项目已结束（{}），不能再办理", s.zh()),
            )),
            (_, Event::Submit) => Err(DomainError::conflict("already_submitted", "申请书已提交")),
            (S::Draft, Event::Consult) => Err(DomainError::conflict(
                "not_submitted",
                "申请书尚未提交，不能列入恳谈会",
            )),
            (_, Event::Consult) => Err(DomainError::conflict(
                "consultation_closed",
                "表决已开始，恳谈阶段已结束",
            )),
            (S::Draft | S::Submitted, Event::OpenVote) => Err(DomainError::conflict(
                "not_consulted",
                "须先召开恳谈会并封存会议纪要，才能提交居民代表会议表决",
            )),
            (_, Event::OpenVote) => Err(DomainError::conflict("vote_done", "该申请已经表决")),
            (_, Event::SealVote { .. }) => {
                Err(DomainError::conflict("not_voting", "该申请不在表决中"))
            }
            (S::Voting, Event::Decide { .. }) => Err(DomainError::conflict(
                "vote_not_sealed",
                "居民代表会议表决结果尚未封存，街道不能作出购买决定",
            )),
            (_, Event::Decide { .. }) => Err(DomainError::conflict(
                "not_passed",
                "只有经居民代表会议表决通过的申请才能决定购买",
            )),
            (S::Passed, Event::Sign) => Err(DomainError::conflict(
                "not_purchased",
                "街道（乡镇）尚未作出购买决定，不能签订购买协议",
            )),
            (_, Event::Sign) => Err(DomainError::conflict(
                "cannot_sign",
                "当前阶段不能签订购买协议",
            )),
            (_, Event::Deliver) => Err(DomainError::conflict(
                "not_contracted",
                "购买协议签订后才能记录服务活动",
            )),
            (_, Event::SelfEvaluate) => Err(DomainError::conflict(
                "not_delivering",
                "项目实施（至少一次服务活动）后才能提交自评报告",
            )),
            (_, Event::FormPanel) => Err(DomainError::conflict(
                "not_self_evaluated",
                "承接组织提交自评报告后才能组建评议小组",
            )),
            (_, Event::Review(_)) => Err(DomainError::conflict(
                "no_panel",
                "评议小组组建并完成评分后才能出具评议结论",
            )),
            (_, Event::PayFinal) => Err(DomainError::conflict(
                "not_accepted",
                "评议结论为通过（或有条件通过）后才能支付尾款",
            )),
            (_, Event::OpenRectification) => Err(DomainError::conflict(
                "not_not_accepted",
                "只有评议结论为“验收不通过”且尚未确定整改期限的项目才能确定整改期限",
            )),
            (_, Event::Rectify) => Err(DomainError::conflict(
                "not_rectifying",
                "项目不在整改期内，不能登记整改情况",
            )),
            (S::Rectifying, Event::ReReview { .. }) => Err(DomainError::conflict(
                "not_rectified",
                "承接组织登记整改情况后才能复评",
            )),
            (_, Event::ReReview { .. }) => Err(DomainError::conflict(
                "no_re_review",
                "只有整改后的项目才能复评，且只能复评一次",
            )),
            (S::SelfEvaluated | S::UnderReview, Event::Terminate) => Err(DomainError::conflict(
                "under_review",
                "项目正在评议中，须待评议结论（验收不通过的，整改和复评后）再决定",
            )),
            (_, Event::Terminate) => Err(DomainError::conflict(
                "cannot_terminate",
                "只有已决定购买、已签约、实施中或整改期满未整改的项目才能终止",
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const EVENTS: [Event; 21] = [
        Event::Submit,
        Event::Consult,
        Event::OpenVote,
        Event::SealVote { passed: true },
        Event::SealVote { passed: false },
        Event::Decide { buy: true },
        Event::Decide { buy: false },
        Event::Sign,
        Event::Deliver,
        Event::SelfEvaluate,
        Event::FormPanel,
        Event::Review(Verdict::Accepted),
        Event::Review(Verdict::AcceptedWithConditions),
        Event::Review(Verdict::NotAccepted),
        Event::PayFinal,
        Event::Consult,
        Event::OpenRectification,
        Event::Rectify,
        Event::ReReview { accepted: true },
        Event::ReReview { accepted: false },
        Event::Terminate,
    ];

    #[test]
    fn a_stage_reached_keeps_every_record_of_the_steps_before() {
        // Every event's resulting stage has reached the stage the event starts from.
        for from in Stage::ALL.iter().copied() {
            for e in EVENTS {
                if let Ok(to) = from.next(e) {
                    assert!(to.reached(from), "{from:?} → {to:?}");
                }
            }
        }
        assert!(Stage::Closed.reached(Stage::Contracted));
        assert!(!Stage::Declined.reached(Stage::Contracted));
    }

    #[test]
    fn the_happy_path_runs_from_draft_to_closed() {
        let path = [
            Event::Submit,
            Event::Consult,
            Event::OpenVote,
            Event::SealVote { passed: true },
            Event::Decide { buy: true },
            Event::Sign,
            Event::Deliver,
            Event::Deliver,
            Event::SelfEvaluate,
            Event::FormPanel,
            Event::Review(Verdict::Accepted),
            Event::PayFinal,
        ];
        let mut s = Stage::Draft;
        for e in path {
            s = s.next(e).unwrap();
        }
        assert_eq!(s, Stage::Closed);
    }

    #[test]
    fn skipping_a_step_names_what_is_missing() {
        let err = Stage::Submitted.next(Event::OpenVote).unwrap_err();
        assert!(err.to_string().contains("恳谈会"), "{err}");
        let err = Stage::Voting.next(Event::Decide { buy: true }).unwrap_err();
        assert!(err.to_string().contains("尚未封存"), "{err}");
        let err = Stage::UnderReview.next(Event::PayFinal).unwrap_err();
        assert!(err.to_string().contains("尾款"), "{err}");
        let err = Stage::Closed.next(Event::PayFinal).unwrap_err();
        assert!(err.to_string().contains("项目已结束"), "{err}");
    }

    #[test]
    fn not_accepted_gets_one_rectification_and_one_re_review_then_closes_or_ends() {
        let mut s = Stage::NotAccepted;
        assert!(s.next(Event::PayFinal).is_err());
        assert!(
            s.next(Event::Terminate).is_err(),
            "rectification comes first"
        );
        s = s.next(Event::OpenRectification).unwrap();
        assert_eq!(s, Stage::Rectifying);
        assert!(s.next(Event::ReReview { accepted: true }).is_err());
        let rectified = s.next(Event::Rectify).unwrap();
        assert_eq!(
            rectified.next(Event::ReReview { accepted: true }),
            Ok(Stage::ReAccepted)
        );
        assert_eq!(
            rectified.next(Event::ReReview { accepted: false }),
            Ok(Stage::Terminated)
        );
        assert_eq!(Stage::ReAccepted.next(Event::PayFinal), Ok(Stage::Closed));
        // One re-review only: nothing after it takes a second.
        for after in [Stage::ReAccepted, Stage::Closed, Stage::Terminated] {
            assert!(after.next(Event::ReReview { accepted: true }).is_err());
            assert!(after.next(Event::OpenRectification).is_err());
        }
    }

    #[test]
    fn the_purchaser_may_end_a_project_before_or_during_delivery_not_under_review() {
        for s in [
            Stage::Purchased,
            Stage::Contracted,
            Stage::Delivering,
            Stage::Rectifying,
        ] {
            assert_eq!(s.next(Event::Terminate), Ok(Stage::Terminated), "{s:?}");
        }
        for s in [
            Stage::Passed,
            Stage::SelfEvaluated,
            Stage::UnderReview,
            Stage::Accepted,
            Stage::NotAccepted,
            Stage::Rectified,
            Stage::Closed,
            Stage::Terminated,
        ] {
            assert!(s.next(Event::Terminate).is_err(), "{s:?}");
        }
        assert!(Stage::Terminated.terminal() && !Stage::NotAccepted.terminal());
    }

    #[test]
    fn terminal_stages_accept_nothing_and_every_refusal_has_a_message() {
        for &s in Stage::ALL {
            for e in EVENTS {
                match s.next(e) {
                    Ok(n) => assert!(!s.terminal(), "{s:?} --{e:?}--> {n:?}"),
                    Err(DomainError::Conflict { message, .. }) => assert!(!message.is_empty()),
                    Err(other) => panic!("{other:?}"),
                }
            }
        }
    }

    #[test]
    fn only_the_vote_and_the_review_fork() {
        // Every stage is reachable from Draft.
        let mut reached = std::collections::BTreeSet::from([Stage::Draft]);
        let mut frontier = vec![Stage::Draft];
        while let Some(s) = frontier.pop() {
            for e in EVENTS {
                if let Ok(n) = s.next(e) {
                    if reached.insert(n) {
                        frontier.push(n);
                    }
                }
            }
        }
        assert_eq!(reached.len(), Stage::ALL.len());
        assert!(Verdict::Accepted.releases_final_payment());
        assert!(!Verdict::NotAccepted.releases_final_payment());
    }
}
