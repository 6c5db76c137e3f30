// Proves: a spawned closure cannot return a non-`Send` value (`Rc`): the
// result crosses to the joining thread (E0277).
use std::rc::Rc;

fn main() {
    forkscope::scope(|s| {
        s.spawn(|| Rc::new(1));
    });
}
