//! The post-mortem's life: draft → in review → reviewed → published → closed, and what each
//! move requires.

use crate::postmortem::PostmortemStatus;

/// What must hold before a move is allowed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Gate {
    /// Nothing beyond the move itself.
    Open,
    /// The readiness check finds no error.
    Ready,
    /// Every action item is done or dropped.
    ActionsClosed,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("a post-mortem cannot move from {} to {}: {}", .from.as_str().replace('_', " "), .to.as_str().replace('_', " "), .hint)]
pub struct NotAMove {
    pub from: PostmortemStatus,
    pub to: PostmortemStatus,
    pub hint: String,
}

/// The gate of the move `from` → `to`, or why there is no such move. Forward moves go one step
/// at a time; a document in review or reviewed can go back to draft, and a reviewed one back to
/// review; a closed one can be reopened as published.
pub fn gate(from: PostmortemStatus, to: PostmortemStatus) -> Result<Gate, NotAMove> {
    use PostmortemStatus::*;
    let gate = match (from, to) {
        (Draft, InReview) => Gate::Ready,
        (InReview, Reviewed) => Gate::Open,
        (Reviewed, Published) => Gate::Ready,
        (Published, Closed) => Gate::ActionsClosed,
        (InReview | Reviewed, Draft) | (Reviewed, InReview) | (Closed, Published) => Gate::Open,
        _ => {
            let next = next(from)
                .map(|n| {
                    format!(
                        "from {} it can move to {}",
                        from.as_str().replace('_', " "),
                        n.as_str().replace('_', " ")
                    )
                })
                .unwrap_or_else(|| {
                    "a closed post-mortem can only be reopened as published".to_owned()
                });
            return Err(NotAMove {
                from,
                to,
                hint: if from == to {
                    "it is already there".to_owned()
                } else {
                    next
                },
            });
        }
    };
    Ok(gate)
}

/// The next status forward.
pub fn next(status: PostmortemStatus) -> Option<PostmortemStatus> {
    use PostmortemStatus::*;
    match status {
        Draft => Some(InReview),
        InReview => Some(Reviewed),
        Reviewed => Some(Published),
        Published => Some(Closed),
        Closed => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use PostmortemStatus::*;

    #[test]
    fn forward_moves_are_gated_and_go_one_step_at_a_time() {
        assert_eq!(gate(Draft, InReview), Ok(Gate::Ready));
        assert_eq!(gate(InReview, Reviewed), Ok(Gate::Open));
        assert_eq!(gate(Reviewed, Published), Ok(Gate::Ready));
        assert_eq!(gate(Published, Closed), Ok(Gate::ActionsClosed));
        let skip = gate(Draft, Published).unwrap_err();
        assert_eq!(
            skip.to_string(),
            "a post-mortem cannot move from draft to published: from draft it can move to in review"
        );
        assert!(
            gate(Draft, Draft)
                .unwrap_err()
                .to_string()
                .ends_with("it is already there")
        );
    }

    #[test]
    fn documents_can_go_back_for_more_work() {
        assert_eq!(gate(Reviewed, Draft), Ok(Gate::Open));
        assert_eq!(gate(Closed, Published), Ok(Gate::Open));
        assert!(gate(Published, Draft).is_err());
    }
}
