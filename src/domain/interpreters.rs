//! Libras interpreters as a scheduling constraint. The court's interpreters are one pool
//! (active staff marked as interpreters, whatever their zones): a request that needs one is
//! scheduled or offered only at a time when one of them is free besides the clerk, and that
//! interpreter joins the meeting. A staff member's time is taken by the meetings they hold
//! as clerk, those they interpret, and the offered times held for either.

use chrono::NaiveDate;

use super::schedule::{Slot, SlotError};

/// What holds one staff member's time around the moments a decision looks at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Commitments {
    pub staff: i32,
    pub busy: Vec<Slot>,
}

impl Commitments {
    pub fn free_at(&self, slot: &Slot) -> bool {
        !self.busy.iter().any(|taken| taken.overlaps(slot))
    }

    /// How many of their commitments fall on `date` in Belém: how loaded that day is.
    fn on(&self, date: NaiveDate) -> usize {
        self.busy
            .iter()
            .filter(|taken| taken.local_start().date_naive() == date)
            .count()
    }
}

/// The interpreter of a meeting at `slot` held by `clerk`: `keep` when they are free then
/// (a move keeps its interpreter, a pick the one its offer held), otherwise the free one with
/// the fewest commitments that day, then the lowest id, so the work spreads and the choice
/// is the same every time. The clerk is never their own meeting's interpreter: interpreting
/// is a second person's work.
pub fn choose(
    pool: &[Commitments],
    slot: &Slot,
    clerk: i32,
    keep: Option<i32>,
) -> Result<i32, SlotError> {
    if pool.is_empty() {
        return Err(SlotError::NoInterpreter);
    }
    let free = |candidate: &&Commitments| candidate.staff != clerk && candidate.free_at(slot);
    if let Some(kept) = keep
        .and_then(|id| pool.iter().find(|candidate| candidate.staff == id))
        .filter(free)
    {
        return Ok(kept.staff);
    }
    let day = slot.local_start().date_naive();
    pool.iter()
        .filter(free)
        .min_by_key(|candidate| (candidate.on(day), candidate.staff))
        .map(|chosen| chosen.staff)
        .ok_or(SlotError::InterpreterBusy)
}

/// Whether a meeting could be held at `slot`: one of `clerks` is free (any time, while the
/// zone has no clerk: whoever joins it can take it) and, when `interpreters` is given, one of
/// them other than that clerk is free too.
pub fn staffed(slot: &Slot, clerks: &[Commitments], interpreters: Option<&[Commitments]>) -> bool {
    let free_clerks: Vec<i32> = clerks
        .iter()
        .filter(|clerk| clerk.free_at(slot))
        .map(|clerk| clerk.staff)
        .collect();
    if !clerks.is_empty() && free_clerks.is_empty() {
        return false;
    }
    let Some(interpreters) = interpreters else {
        return true;
    };
    interpreters
        .iter()
        .filter(|interpreter| interpreter.free_at(slot))
        .any(|interpreter| {
            clerks.is_empty() || free_clerks.iter().any(|clerk| *clerk != interpreter.staff)
        })
}

/// Why a listing of times for a request that needs an interpreter says so instead of only
/// coming back short.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum Shortage {
    #[error(
        "Não há intérprete de Libras cadastrado(a): nenhum horário pode ser marcado para esta solicitação até que a administração indique um(a)."
    )]
    NoInterpreter,
    /// The clerks have free times in the days listed, and no interpreter is free at any.
    #[error(
        "Nenhum(a) intérprete de Libras está livre nos dias listados: consulte os dias seguintes."
    )]
    NoneFree,
}

impl Shortage {
    /// The shortage of a listing of `listed` times found among `clerks_free` times the clerks
    /// alone had, with `pool` interpreters in the court; `None` when nothing is missing for
    /// want of an interpreter.
    pub fn of(pool: usize, listed: usize, clerks_free: usize) -> Option<Shortage> {
        if pool == 0 {
            Some(Shortage::NoInterpreter)
        } else if listed == 0 && clerks_free > 0 {
            Some(Shortage::NoneFree)
        } else {
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use chrono::{DateTime, Duration, Utc};

    use super::*;

    fn at(text: &str) -> DateTime<Utc> {
        text.parse().unwrap()
    }

    /// Wednesday 2 December 2026, 08:30–08:50 in Belém.
    fn slot() -> Slot {
        Slot {
            start: at("2026-12-02T11:30:00Z"),
            end: at("2026-12-02T11:50:00Z"),
        }
    }

    fn shifted(minutes: i64) -> Slot {
        Slot {
            start: slot().start + Duration::minutes(minutes),
            end: slot().end + Duration::minutes(minutes),
        }
    }

    fn person(staff: i32, busy: Vec<Slot>) -> Commitments {
        Commitments { staff, busy }
    }

    const CLERK: i32 = 10;

    #[test]
    fn the_interpreter_is_chosen_by_load_then_id_keeping_whom_it_may() {
        type Case = (
            &'static str,
            Vec<Commitments>,
            Option<i32>,
            Result<i32, SlotError>,
        );
        let cases: Vec<Case> = vec![
            (
                "no interpreter at all",
                vec![],
                None,
                Err(SlotError::NoInterpreter),
            ),
            (
                "the only one is busy then",
                vec![person(20, vec![slot()])],
                None,
                Err(SlotError::InterpreterBusy),
            ),
            (
                "the only one is the clerk",
                vec![person(CLERK, vec![])],
                None,
                Err(SlotError::InterpreterBusy),
            ),
            (
                "the lowest id when loads are equal",
                vec![person(21, vec![]), person(20, vec![])],
                None,
                Ok(20),
            ),
            (
                "the one with fewer commitments that day",
                vec![
                    person(20, vec![shifted(60), shifted(120)]),
                    person(21, vec![shifted(60)]),
                ],
                None,
                Ok(21),
            ),
            (
                "commitments on other days do not count",
                vec![
                    person(20, vec![shifted(24 * 60), shifted(48 * 60)]),
                    person(21, vec![shifted(60)]),
                ],
                None,
                Ok(20),
            ),
            (
                "a busy one is passed over however light their day",
                vec![person(20, vec![shifted(10)]), person(21, vec![shifted(60)])],
                None,
                Ok(21),
            ),
            (
                "the one to keep, when free, even with a heavier day",
                vec![person(20, vec![]), person(21, vec![shifted(60)])],
                Some(21),
                Ok(21),
            ),
            (
                "the one to keep is busy: another",
                vec![person(20, vec![]), person(21, vec![slot()])],
                Some(21),
                Ok(20),
            ),
            (
                "the one to keep left the pool: another",
                vec![person(20, vec![])],
                Some(21),
                Ok(20),
            ),
        ];
        for (description, pool, keep, expected) in cases {
            assert_eq!(
                choose(&pool, &slot(), CLERK, keep),
                expected,
                "{description}"
            );
        }
    }

    #[test]
    fn a_time_is_staffed_when_a_clerk_and_another_interpreter_are_free() {
        type Case = (
            &'static str,
            Vec<Commitments>,
            Option<Vec<Commitments>>,
            bool,
        );
        let cases: Vec<Case> = vec![
            (
                "a free clerk, no interpreter needed",
                vec![person(1, vec![])],
                None,
                true,
            ),
            (
                "the clerk is busy",
                vec![person(1, vec![slot()])],
                None,
                false,
            ),
            ("a zone without clerks takes any time", vec![], None, true),
            (
                "a free clerk and a free interpreter",
                vec![person(1, vec![])],
                Some(vec![person(2, vec![])]),
                true,
            ),
            (
                "a free clerk, the interpreter busy",
                vec![person(1, vec![])],
                Some(vec![person(2, vec![slot()])]),
                false,
            ),
            (
                "no interpreters",
                vec![person(1, vec![])],
                Some(vec![]),
                false,
            ),
            (
                "the only free interpreter is the only free clerk",
                vec![person(1, vec![]), person(2, vec![slot()])],
                Some(vec![person(1, vec![])]),
                false,
            ),
            (
                "one clerk-interpreter interprets for another free clerk",
                vec![person(1, vec![]), person(2, vec![])],
                Some(vec![person(1, vec![])]),
                true,
            ),
            (
                "a zone without clerks, a free interpreter",
                vec![],
                Some(vec![person(2, vec![])]),
                true,
            ),
        ];
        for (description, clerks, interpreters, expected) in cases {
            assert_eq!(
                staffed(&slot(), &clerks, interpreters.as_deref()),
                expected,
                "{description}"
            );
        }
    }

    #[test]
    fn a_listing_tells_why_it_lacks_times_only_when_interpreters_are_why() {
        assert_eq!(Shortage::of(0, 0, 0), Some(Shortage::NoInterpreter));
        assert_eq!(Shortage::of(0, 0, 5), Some(Shortage::NoInterpreter));
        assert_eq!(Shortage::of(2, 0, 5), Some(Shortage::NoneFree));
        assert_eq!(Shortage::of(2, 0, 0), None, "the clerks had no time either");
        assert_eq!(Shortage::of(2, 3, 5), None, "some times remain");
    }
}
