//! A bound on the loops of one page's render. Tera's own `range` stops one call at 100,000
//! elements, but loops nested in a template multiply (two of them are ten billion turns), and
//! a render has no other way to stop. The site's Tera has this module's `range` in place of
//! Tera's: the same arguments and results, but every element it makes is drawn from the budget
//! of the page being rendered, and a page that draws past it fails at that `range` call.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::thread::ThreadId;

use tera::{Error, Kwargs, State, TeraResult};

use crate::error::SourceError;

/// Elements of `range` one page's render may draw: far above what a page shows (a list of
/// page numbers, a calendar), far below what would keep a build busy for minutes.
pub const ELEMENTS_PER_PAGE: u64 = 1_000_000;

/// Tera's own bound on one `range` call, kept so that a template means what it meant.
const MAX_RANGE_LEN: i128 = 100_000;

/// What each page's render has drawn, shared by the Tera's `range` and the renders of one
/// pass. A render runs on one thread from start to end and calls `range` on that thread, so
/// the render going on in a thread is the one a call draws for.
pub struct LoopBudget {
    limit: u64,
    state: Mutex<BudgetState>,
}

#[derive(Default)]
struct BudgetState {
    /// Elements drawn by the render going on in each thread.
    drawn: HashMap<ThreadId, u64>,
    /// The error of each page template whose render ran out in this pass. Every page of that
    /// template would draw as much again before failing at the same place: they fail at once.
    spent: HashMap<String, SourceError>,
}

impl LoopBudget {
    pub fn new(limit: u64) -> Arc<LoopBudget> {
        Arc::new(LoopBudget {
            limit,
            state: Mutex::new(BudgetState::default()),
        })
    }

    /// Forget the renders of the last pass: a template that ran out then may not now, once
    /// the content it loops over changed.
    pub fn start_pass(&self) {
        let mut state = self.state();
        state.drawn.clear();
        state.spent.clear();
    }

    /// A render of the page template `template` starts on this thread; its error at once if
    /// another page of that template ran out in this pass.
    pub fn start_render(&self, template: &str) -> Result<(), SourceError> {
        let mut state = self.state();
        if let Some(error) = state.spent.get(template) {
            return Err(error.clone());
        }
        state.drawn.insert(std::thread::current().id(), 0);
        Ok(())
    }

    /// The render that just failed on this thread: if it failed for running out, remember its
    /// error for the other pages of `template`.
    pub fn after_failed_render(&self, template: &str, error: &SourceError) {
        let mut state = self.state();
        let drawn = state
            .drawn
            .get(&std::thread::current().id())
            .copied()
            .unwrap_or(0);
        if drawn > self.limit {
            state.spent.insert(template.to_string(), error.clone());
        }
    }

    /// Draw `elements` for the render going on in this thread.
    fn draw(&self, elements: u64) -> TeraResult<()> {
        let mut state = self.state();
        let drawn = state.drawn.entry(std::thread::current().id()).or_insert(0);
        *drawn = drawn.saturating_add(elements);
        if *drawn > self.limit {
            return Err(Error::message(format!(
                "the loops of this template ran past {} iterations in one page; is a `range` too long?",
                thousands(self.limit)
            )));
        }
        Ok(())
    }

    fn state(&self) -> MutexGuard<'_, BudgetState> {
        // The state stays consistent whatever panicked while holding it: counts and errors.
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// `range(end=5)`, `range(start=1, end=5)`, `range(start=10, end=0, step_by=-2)`: Tera's
/// function, drawing what it makes from `budget`.
pub fn range_function(
    budget: Arc<LoopBudget>,
) -> impl Fn(Kwargs, &State) -> TeraResult<Vec<i128>> + Send + Sync + 'static {
    move |kwargs: Kwargs, _: &State| {
        let start = kwargs.get::<i128>("start")?.unwrap_or_default();
        let end = kwargs.must_get::<i128>("end")?;
        let step_by = kwargs.get::<i128>("step_by")?.unwrap_or(1);
        let len = range_len(start, end, step_by)?;
        budget.draw(len as u64)?;
        Ok((0..len).map(|i| start + i * step_by).collect())
    }
}

/// How many elements `range` makes, or Tera's error for its arguments.
fn range_len(start: i128, end: i128, step_by: i128) -> TeraResult<i128> {
    if start > end && step_by > 0 {
        return Err(Error::message(
            "Function `range` was called with a `start` argument greater than the `end` one",
        ));
    }
    if step_by == 0 {
        return Err(Error::message(
            "Function `range` was called with a `step_by` argument of 0",
        ));
    }
    let overflow =
        || Error::message("Function `range` was called with arguments that overflow i128");
    let len = if step_by > 0 {
        let span = end.checked_sub(start).ok_or_else(overflow)?;
        span.checked_add(step_by - 1).ok_or_else(overflow)? / step_by
    } else if start <= end {
        0
    } else {
        let step = step_by.checked_neg().ok_or_else(overflow)?;
        let span = start.checked_sub(end).ok_or_else(overflow)?;
        span.checked_add(step - 1).ok_or_else(overflow)? / step
    };
    if len > MAX_RANGE_LEN {
        return Err(Error::message(format!(
            "Function `range` would produce {len} elements, which exceeds the limit of {MAX_RANGE_LEN}"
        )));
    }
    Ok(len)
}

/// `1000000` as `1,000,000`.
fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, digit) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(digit);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tera_with(budget: &Arc<LoopBudget>, template: &str) -> tera::Tera {
        let mut tera = tera::Tera::new();
        tera.register_function("range", range_function(budget.clone()));
        tera.add_raw_template("t.html", template).unwrap();
        tera
    }

    /// What Tera's own `range` renders or says, and ours, for one call.
    fn both(call: &str) -> (Result<String, String>, Result<String, String>) {
        let template = format!("{{{{ {call} }}}}");
        let render = |tera: &tera::Tera| {
            tera.render("t.html", &tera::Context::new())
                .map_err(|e| e.to_string())
        };
        let mut theirs = tera::Tera::new();
        theirs.add_raw_template("t.html", &template).unwrap();
        let budget = LoopBudget::new(ELEMENTS_PER_PAGE);
        budget.start_render("t.html").unwrap();
        (render(&theirs), render(&tera_with(&budget, &template)))
    }

    #[test]
    fn our_range_makes_what_teras_makes() {
        for call in [
            "range(end=5)",
            "range(start=2, end=5)",
            "range(start=0, end=10, step_by=3)",
            "range(start=10, end=0, step_by=-3)",
            "range(start=3, end=3)",
            "range(start=1, end=5, step_by=-1)",
            "range(start=5, end=1)",
            "range(end=5, step_by=0)",
            "range(end=100000)",
            "range(end=100001)",
            "range(start=-9223372036854775807, end=9223372036854775807)",
            "range(start=9223372036854775807, end=-9223372036854775807, step_by=-9223372036854775807)",
            "range(start=\"a\", end=3)",
            "range()",
        ] {
            let (theirs, ours) = both(call);
            assert_eq!(theirs, ours, "{call}");
        }
    }

    #[test]
    fn nested_loops_stop_at_the_bound_of_one_page() {
        let budget = LoopBudget::new(1_000);
        let tera = tera_with(
            &budget,
            "{% for i in range(end=100) %}{% for j in range(end=100) %}{% endfor %}{% endfor %}",
        );
        budget.start_render("t.html").unwrap();
        let error = tera.render("t.html", &tera::Context::new()).unwrap_err();
        let tera::ErrorKind::RenderingError(report) = error.kind() else {
            panic!("{error:?}");
        };
        assert_eq!(
            report.message(),
            "the loops of this template ran past 1,000 iterations in one page; is a `range` too long?"
        );
        // The inner `range`, the tenth call of which goes past the bound.
        assert_eq!(report.span().start_col, 41);
    }

    #[test]
    fn each_page_has_its_own_budget() {
        let budget = LoopBudget::new(1_000);
        let tera = tera_with(&budget, "{% for i in range(end=600) %}{% endfor %}");
        for _ in 0..3 {
            budget.start_render("t.html").unwrap();
            tera.render("t.html", &tera::Context::new()).unwrap();
        }
    }

    #[test]
    fn the_pages_of_a_template_that_ran_out_fail_at_once_until_the_next_pass() {
        let budget = LoopBudget::new(10);
        let error = SourceError::new("templates/t.html", 1, 13, "ran out");
        budget.start_render("t.html").unwrap();
        budget.draw(5).unwrap();
        // Failing for another reason, within the budget, spends nothing.
        budget.after_failed_render("t.html", &error);
        assert!(budget.start_render("t.html").is_ok());
        assert!(budget.draw(11).is_err());
        budget.after_failed_render("t.html", &error);
        assert_eq!(budget.start_render("t.html"), Err(error));
        assert!(budget.start_render("other.html").is_ok());
        budget.start_pass();
        assert!(budget.start_render("t.html").is_ok());
    }

    #[test]
    fn thousands_are_separated() {
        assert_eq!(thousands(7), "7");
        assert_eq!(thousands(1_000), "1,000");
        assert_eq!(thousands(1_000_000), "1,000,000");
        assert_eq!(thousands(12_345_678), "12,345,678");
    }
}
